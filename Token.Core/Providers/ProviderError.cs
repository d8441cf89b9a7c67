namespace Token.Core.Providers;

/// <summary>
/// A token endpoint's refusal (RFC 6749 §5.2) or a failure to reach it; <paramref name="RetryAfter"/> when it said
/// when to come back (never more than <see cref="OAuthProviderClient.MaxRetryAfter"/>).
/// </summary>
public sealed record ProviderError(string Error, string? Description, int? StatusCode, TimeSpan? RetryAfter = null)
{
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidClient = "invalid_client";
    public const string UnauthorizedClient = "unauthorized_client";

    /// <summary>The grant itself is dead (invalid_grant): only a new consent helps.</summary>
    public bool RequiresReauthorization => Deliberate && Error == InvalidGrant;

    /// <summary>
    /// The provider refused the client's own credentials (invalid_client, unauthorized_client): the grant may be
    /// fine, but no refresh can work until the client's secret is changed.
    /// </summary>
    public bool RejectsClient => Deliberate && Error is InvalidClient or UnauthorizedClient;

    /// <summary>
    /// Whether the error code can be taken at its word: a provider in trouble (5xx) says nothing reliable about a
    /// grant. Every other failure, whatever its status (404, 403, 408, 429, a WAF's page), is a passing one.
    /// </summary>
    private bool Deliberate => StatusCode is not >= 500;
}
