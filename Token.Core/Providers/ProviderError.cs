namespace Token.Core.Providers;

/// <summary>
/// A token endpoint's refusal (RFC 6749 §5.2) or a failure to reach it; <paramref name="RetryAfter"/> when it said when
/// to come back.
/// </summary>
public sealed record ProviderError(string Error, string? Description, int? StatusCode, TimeSpan? RetryAfter = null)
{
    /// <summary>The grant itself is dead: only a new consent helps (invalid_grant and the other §5.2 errors).</summary>
    public bool RequiresReauthorization => StatusCode is >= 400 and < 500 && StatusCode != 429;
}
