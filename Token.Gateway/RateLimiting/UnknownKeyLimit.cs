using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// A key the gateway has not let through lately is limited per client address before its own per-key limit
/// (<see cref="RateLimitOptions.PerAddressNewKeys"/>): what is counted is new keys, not requests, so a caller's first
/// burst with its one key passes, while a flood of made-up keys from one address costs token-api a few lookups a
/// second and is refused here, cheaply and slowly (<see cref="RefusalDelay"/>). A key once let through is known for
/// <see cref="RateLimitOptions.KnownKeyMemory"/> after its last request, whatever token-api answered: a wrong key
/// repeated meets its per-key limit and token-api's cache of unknown keys instead.
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
        if (!CallerRateLimits.IsKeyedRoute(context) || CallerIdentity.ApiKey(context).Length == 0
            || _known.TryGetValue(CallerIdentity.Of(context), out _))
        {
            await next(context);
            return;
        }

        using var lease = _perAddress.AttemptAcquire(CallerIdentity.Address(context));
        if (!lease.IsAcquired)
        {
            _metrics.Refused("new_api_key_rate_limited");
            await _delay.WaitAsync(context.RequestAborted);
            await CallerRateLimits.RefuseAsync(context, lease);
            return;
        }
        _known.Set(CallerIdentity.Of(context), true, new MemoryCacheEntryOptions
        {
            Size = 1, SlidingExpiration = _limits.KnownKeyMemory
        });
        await next(context);
    }

    public void Dispose()
    {
        _known.Dispose();
        _perAddress.Dispose();
    }
}
