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
    /// Per client address, for requests to the API whose key token-api has not accepted lately (a new caller's first
    /// requests, or made-up keys); checked before <see cref="PerApiKey"/>. Room for the first bursts of the callers
    /// behind one address after the gateway starts; a flood of guesses costs token-api at most this many lookups.
    /// </summary>
    public TokenBucketLimit PerAddressUnknownKeys { get; set; } = new()
    {
        TokenLimit = 200, TokensPerPeriod = 50, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>How many accepted keys the gateway remembers (bounds its memory).</summary>
    [Range(1, 1_000_000)]
    public int MaxAcceptedKeys { get; set; } = 10_000;

    /// <summary>How long an accepted key is remembered after its last request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AcceptedKeyMemory { get; set; } = TimeSpan.FromMinutes(10);

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
