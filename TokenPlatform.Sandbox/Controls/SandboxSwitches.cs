using Microsoft.Extensions.Options;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>Run-time behaviour of the sandbox; every reader sees one consistent, immutable snapshot.</summary>
public sealed class SandboxSwitches(IOptions<SandboxOptions> options)
{
    private readonly Lock _gate = new();
    private volatile SwitchSettings _current = new(
        options.Value.AutoApprove, AccessTokenLifetimeSeconds: 3600, RotateRefreshTokens: true, new TokenFailure());

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
