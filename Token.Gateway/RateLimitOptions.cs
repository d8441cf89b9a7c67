using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Token.Gateway;

public sealed class RateLimitOptions
{
    /// <summary>Off takes the rate limiter out of the pipeline (used to measure what it costs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per caller of the API, by a hash of its X-API-Key (by address when it sends none).</summary>
    [ValidateObjectMembers]
    public TokenBucketLimit PerApiKey { get; set; } = new()
    {
        TokenLimit = 200, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>
    /// Per client address, new API keys: keys token-api has not accepted lately (a caller's first request after
    /// the gateway starts, or made-up keys); checked before <see cref="PerApiKey"/>. Counts keys, not requests.
    /// </summary>
    [ValidateObjectMembers]
    public TokenBucketLimit PerAddressNewKeys { get; set; } = new()
    {
        TokenLimit = 20, TokensPerPeriod = 5, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>How many keys token-api accepted the gateway remembers (bounds its memory).</summary>
    [Range(1, 1_000_000)]
    public int MaxKnownKeys { get; set; } = 10_000;

    /// <summary>How long a key token-api accepted is remembered after its last request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan KnownKeyMemory { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the answer to a malformed key, or to a new key over its address's limit, is held back (zero: not at
    /// all). A flood in a loop then slows to one request per connection per delay.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan RefusalDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Refusals held back at once, at most; beyond it they are answered at once.</summary>
    [Range(0, 1_000_000)]
    public int MaxDelayedRefusals { get; set; } = 1000;

    /// <summary>
    /// Per client address on the browser endpoints of the consent flow (/oauth/login, /auth/callback).
    /// </summary>
    [ValidateObjectMembers]
    public TokenBucketLimit PerAddressConsent { get; set; } = new()
    {
        TokenLimit = 30, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromMinutes(1)
    };

    /// <summary>Per client address on the other public paths: /, /health, the API docs.</summary>
    [ValidateObjectMembers]
    public TokenBucketLimit PerAddressPublic { get; set; } = new()
    {
        TokenLimit = 100, TokensPerPeriod = 50, ReplenishmentPeriod = TimeSpan.FromSeconds(1)
    };

    /// <summary>Requests in flight to token-api at once, over all callers; more are refused, not queued.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 256;
}
