using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;

namespace Token.Gateway;

/// <summary>The gateway's limits, bound from the <c>Gateway</c> section (the AppHost forwards its own <c>Gateway:*</c> settings).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Larger request bodies are refused with 413 before anything reaches token-api; token-api's own limit is the same.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The whole request, including token-api's answer; 504 after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class RateLimitOptions
{
    /// <summary>Off takes the rate limiter out of the pipeline (used to measure what it costs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per caller of the API, by a hash of its X-API-Key (by address when it sends none).</summary>
    public TokenBucketLimit PerApiKey { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>Per client address on the browser endpoints of the consent flow (/oauth/login, /auth/callback).</summary>
    public TokenBucketLimit PerAddressConsent { get; set; } = new() { TokenLimit = 30, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromMinutes(1) };

    /// <summary>Per client address on the other public paths: /, /health, the API docs.</summary>
    public TokenBucketLimit PerAddressPublic { get; set; } = new() { TokenLimit = 100, TokensPerPeriod = 50, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>Requests in flight to token-api at once, over all callers; more are refused, not queued.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 256;
}

public sealed class TokenBucketLimit
{
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; }

    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ReplenishmentPeriod { get; set; }

    public TokenBucketRateLimiterOptions ToLimiterOptions() => new()
    {
        TokenLimit = TokenLimit,
        TokensPerPeriod = TokensPerPeriod,
        ReplenishmentPeriod = ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = true
    };
}
