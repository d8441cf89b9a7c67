using System.ComponentModel.DataAnnotations;

namespace Token.Gateway;

public sealed class RateLimitOptions
{
    /// <summary>Off takes the rate limiter out of the pipeline (used to measure what it costs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per caller of the API, by a hash of its X-API-Key (by address when it sends none).</summary>
    public TokenBucketLimit PerApiKey { get; set; } = new()
    {
        TokenLimit = 200, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>
    /// Per client address on the browser endpoints of the consent flow (/oauth/login, /auth/callback).
    /// </summary>
    public TokenBucketLimit PerAddressConsent { get; set; } = new()
    {
        TokenLimit = 30, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromMinutes(1)
    };

    /// <summary>Per client address on the other public paths: /, /health, the API docs.</summary>
    public TokenBucketLimit PerAddressPublic { get; set; } = new()
    {
        TokenLimit = 100, TokensPerPeriod = 50, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>Requests in flight to token-api at once, over all callers; more are refused, not queued.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 256;
}
