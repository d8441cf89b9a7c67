using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// A key token-api has not accepted lately is limited per client address before its own per-key limit
/// (<see cref="RateLimitOptions.PerAddressNewKeys"/>): what is counted is new keys, not requests, so a caller's first
/// burst with its one key passes (its other requests pass while the first is answered), while a flood of made-up
/// keys from one address costs token-api a few lookups a second and is refused here, cheaply and slowly
/// (<see cref="RefusalDelay"/>). A key token-api accepted is known for <see cref="RateLimitOptions.KnownKeyMemory"/>
/// after its last request; one it refused (401) is forgotten at once. The public paths need no key, so the header
/// is taken off their requests.
/// </summary>
public sealed class UnknownKeyLimit : IDisposable
{
    private readonly RateLimitOptions _limits;
    private readonly RefusalDelay _delay;
    private readonly GatewayMetrics _metrics;
    private readonly MemoryCache _known;
    private readonly PartitionedRateLimiter<string> _perAddress;

    public UnknownKeyLimit(IOptions<GatewayOptions> options, RefusalDelay delay, GatewayMetrics metrics)
    {
        (_limits, _delay, _metrics) = (options.Value.RateLimits, delay, metrics);
        // Bounded: once full, new keys are not remembered and each of their requests is counted as new.
        _known = new MemoryCache(new MemoryCacheOptions { SizeLimit = _limits.MaxKnownKeys });
        _perAddress = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => _limits.PerAddressNewKeys.ToLimiterOptions()));
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!CallerRateLimits.IsKeyedRoute(context))
        {
            // No public path needs a key: token-api must not look one up for them.
            context.Request.Headers.Remove(CallerIdentity.ApiKeyHeader);
            await next(context);
            return;
        }
        if (CallerIdentity.ApiKey(context).Length == 0)
        {
            await next(context);
            return;
        }

        var caller = CallerIdentity.Of(context);
        bool? accepted = _known.TryGetValue(caller, out bool known) ? known : null;
        if (accepted is null)
        {
            using var lease = _perAddress.AttemptAcquire(CallerIdentity.Address(context));
            if (!lease.IsAcquired)
            {
                _metrics.Refused("new_api_key_rate_limited");
                await _delay.WaitAsync(context.RequestAborted);
                await CallerRateLimits.RefuseAsync(context, lease);
                return;
            }
            // Until token-api has answered, the key's other requests pass too (a caller's first burst).
            _known.Set(caller, false, new MemoryCacheEntryOptions
            {
                Size = 1, AbsoluteExpirationRelativeToNow = PendingFor
            });
        }

        await next(context);

        var status = context.Response.StatusCode;
        if (status == StatusCodes.Status401Unauthorized)
        {
            // Made up, or deleted: its next request counts as new again.
            _known.Remove(caller);
        }
        else if (accepted != true && status < StatusCodes.Status500InternalServerError)
        {
            _known.Set(caller, true, new MemoryCacheEntryOptions
            {
                Size = 1, SlidingExpiration = _limits.KnownKeyMemory
            });
        }
    }

    /// <summary>How long a new key's other requests pass before token-api has answered its first.</summary>
    private static readonly TimeSpan PendingFor = TimeSpan.FromSeconds(10);

    public void Dispose()
    {
        _known.Dispose();
        _perAddress.Dispose();
    }
}
