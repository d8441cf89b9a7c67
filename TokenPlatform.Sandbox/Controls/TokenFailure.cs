using System.Text.Json.Serialization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// A failure the token endpoint fakes for requests of <see cref="GrantType"/> (null: every grant type).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TokenFailure(
    TokenFailureMode Mode = TokenFailureMode.None,
    int StatusCode = 503,
    int DelayMs = 2000,
    string? GrantType = null,
    int? RetryAfterSeconds = null)
{
    public bool AppliesTo(string? grantType) =>
        Mode is not TokenFailureMode.None
        && (GrantType is null || string.Equals(GrantType, grantType, StringComparison.Ordinal));

    public IEnumerable<string> Validate()
    {
        if (StatusCode is < 400 or > 599)
        {
            yield return "token_failure.status_code must be between 400 and 599";
        }

        if (DelayMs is < 0 or > 300_000)
        {
            yield return "token_failure.delay_ms must be between 0 and 300000";
        }

        if (GrantType is not (null or GrantTypes.AuthorizationCode or GrantTypes.RefreshToken))
        {
            yield return "token_failure.grant_type must be null, \"authorization_code\" or \"refresh_token\"";
        }

        if (RetryAfterSeconds is < 0)
        {
            yield return "token_failure.retry_after_seconds must not be negative";
        }
    }
}
