using Microsoft.Extensions.Options;

namespace Token.Core.Tokens;

/// <summary>When a token is due, and how long to wait after a failure. Pure arithmetic on the options.</summary>
public sealed class RefreshSchedule(IOptions<RefreshOptions> options)
{
    private RefreshOptions Options => options.Value;

    /// <summary>
    /// For a token issued at <paramref name="issuedAt"/>: its expiry minus the buffer (the provider's or the default,
    /// never more than half the lifetime), spread by the jitter; sooner when the keep-alive comes first.
    /// </summary>
    public DateTimeOffset DueAt(DateTimeOffset issuedAt, DateTimeOffset expiresAt, string provider)
    {
        var buffer = Options.ProviderBuffers.TryGetValue(provider, out var own) ? own : Options.Buffer;
        var halfLifetime = (expiresAt - issuedAt) / 2;
        if (halfLifetime < buffer)
        {
            buffer = halfLifetime;
        }
        var beforeExpiry = expiresAt - buffer + buffer * Options.Jitter * (Random.Shared.NextDouble() * 2 - 1);
        var keepAlive = issuedAt + Options.KeepAlive;
        return keepAlive < beforeExpiry ? keepAlive : beforeExpiry;
    }

    /// <summary>Exponential, with ±20 % jitter, capped, and never sooner than the provider's Retry-After.</summary>
    public TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var exponential = Options.BackoffBase * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = exponential < Options.BackoffMax ? exponential : Options.BackoffMax;
        var jittered = capped * (0.8 + Random.Shared.NextDouble() * 0.4);
        return retryAfter is { } wait && wait > jittered ? wait : jittered;
    }
}
