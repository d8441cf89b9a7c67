using System.Text.Json.Serialization;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// Body of <c>PUT /sandbox/switches</c>: absent fields keep their value; <c>token_failure</c> is replaced as a
/// whole, its absent fields taking their defaults (so <c>{"token_failure":{"mode":"none"}}</c> resets it).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SwitchesUpdate(
    bool? AutoApprove, int? AccessTokenLifetimeSeconds, bool? RotateRefreshTokens, int? RefreshTokenReuseSeconds,
    TokenFailure? TokenFailure)
{
    public IEnumerable<string> Validate()
    {
        if (AccessTokenLifetimeSeconds is < 1)
        {
            yield return "access_token_lifetime_seconds must be at least 1";
        }

        if (RefreshTokenReuseSeconds is < 0 or > 3600)
        {
            yield return "refresh_token_reuse_seconds must be between 0 and 3600";
        }

        foreach (var error in TokenFailure?.Validate() ?? [])
        {
            yield return error;
        }
    }
}
