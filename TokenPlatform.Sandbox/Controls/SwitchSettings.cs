namespace TokenPlatform.Sandbox.Controls;

public sealed record SwitchSettings(
    bool AutoApprove, int AccessTokenLifetimeSeconds, bool RotateRefreshTokens, TokenFailure TokenFailure);
