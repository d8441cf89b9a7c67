namespace TokenPlatform.Sandbox.Controls;

/// <param name="RefreshTokenReuseSeconds">
/// With rotation on: how long a used refresh token is accepted again (and rotated again), as Okta's grace period or
/// Auth0's reuse interval; 0, the default, refuses a replay at once.
/// </param>
public sealed record SwitchSettings(
    bool AutoApprove, int AccessTokenLifetimeSeconds, bool RotateRefreshTokens, int RefreshTokenReuseSeconds,
    TokenFailure TokenFailure);
