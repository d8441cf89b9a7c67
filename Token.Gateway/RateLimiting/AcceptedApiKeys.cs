using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// The keys token-api accepted lately, by their short hash (<see cref="CallerIdentity.Of"/>). A request with any
/// other key is one the gateway cannot tell from a guess, so it first passes the per-address limit for unknown keys
/// (<see cref="RateLimitOptions.PerAddressUnknownKeys"/>): a flood of made-up keys from one address is refused here
/// before it costs token-api a database lookup, while callers with real keys are not slowed by it.
/// </summary>
public sealed class AcceptedApiKeys(IOptions<GatewayOptions> options) : IDisposable
{
    private readonly RateLimitOptions _limits = options.Value.RateLimits;

    // Only answers token-api gave make entries, and made-up keys get 401, so the bound is never reached by a flood;
    // it caps memory all the same.
    private readonly MemoryCache _accepted = new(new MemoryCacheOptions
    {
        SizeLimit = options.Value.RateLimits.MaxAcceptedKeys
    });

    public bool Contains(string caller) => _accepted.TryGetValue(caller, out _);

    /// <summary>Learns from token-api's answer to a request that carried a key.</summary>
    public void Observe(string caller, int status)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            // Deleted, or never was.
            _accepted.Remove(caller);
        }
        else if (status < StatusCodes.Status500InternalServerError && status != StatusCodes.Status429TooManyRequests)
        {
            _accepted.Set(caller, true, new MemoryCacheEntryOptions
            {
                Size = 1, SlidingExpiration = _limits.AcceptedKeyMemory
            });
        }
    }

    public void Dispose() => _accepted.Dispose();
}
