using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.Controls;

public enum TokenFailureMode
{
    None,
    Status,
    Slow,
    InvalidGrant
}

/// <summary>A failure the token endpoint fakes for requests of <see cref="GrantType"/> (null: every grant type).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TokenFailure(
    TokenFailureMode Mode = TokenFailureMode.None,
    int StatusCode = 503,
    int DelayMs = 2000,
    string? GrantType = null,
    int? RetryAfterSeconds = null)
{
    public bool AppliesTo(string? grantType) =>
        Mode is not TokenFailureMode.None && (GrantType is null || string.Equals(GrantType, grantType, StringComparison.Ordinal));

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

public sealed record SwitchSettings(bool AutoApprove, int AccessTokenLifetimeSeconds, bool RotateRefreshTokens, TokenFailure TokenFailure);

/// <summary>
/// Body of <c>PUT /sandbox/switches</c>: absent fields keep their value; <c>token_failure</c> is replaced as a
/// whole, its absent fields taking their defaults (so <c>{"token_failure":{"mode":"none"}}</c> resets it).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SwitchesUpdate(bool? AutoApprove, int? AccessTokenLifetimeSeconds, bool? RotateRefreshTokens, TokenFailure? TokenFailure)
{
    public IEnumerable<string> Validate()
    {
        if (AccessTokenLifetimeSeconds is < 1)
        {
            yield return "access_token_lifetime_seconds must be at least 1";
        }

        foreach (var error in TokenFailure?.Validate() ?? [])
        {
            yield return error;
        }
    }
}

/// <summary>Run-time behaviour of the sandbox; every reader sees one consistent, immutable snapshot.</summary>
public sealed class SandboxSwitches(IOptions<SandboxOptions> options)
{
    private readonly Lock _gate = new();
    private volatile SwitchSettings _current = new(options.Value.AutoApprove, AccessTokenLifetimeSeconds: 3600, RotateRefreshTokens: true, new TokenFailure());

    public SwitchSettings Current => _current;

    public SwitchSettings Apply(SwitchesUpdate update)
    {
        lock (_gate)
        {
            var current = _current;
            return _current = new SwitchSettings(
                update.AutoApprove ?? current.AutoApprove,
                update.AccessTokenLifetimeSeconds ?? current.AccessTokenLifetimeSeconds,
                update.RotateRefreshTokens ?? current.RotateRefreshTokens,
                update.TokenFailure ?? current.TokenFailure);
        }
    }
}
