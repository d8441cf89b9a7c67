using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>Run-time behaviour of the sandbox; every reader sees one consistent, immutable snapshot.</summary>
public sealed class SandboxSwitches(IOptions<SandboxOptions> options, IOptionsMonitor<OpenIddictServerOptions> server)
{
    private readonly Lock _gate = new();
    private volatile SwitchSettings _current = new(
        options.Value.AutoApprove, AccessTokenLifetimeSeconds: 3600, RotateRefreshTokens: true,
        RefreshTokenReuseSeconds: 0, new TokenFailure());

    public SwitchSettings Current => _current;

    public SwitchSettings Apply(SwitchesUpdate update)
    {
        lock (_gate)
        {
            var current = _current;
            var reuse = update.RefreshTokenReuseSeconds ?? current.RefreshTokenReuseSeconds;
            // OpenIddict checks a used refresh token against its reuse leeway before any handler of ours runs, and
            // reads it from its options on every request (null: refused, and the tokens issued from it revoked).
            server.CurrentValue.RefreshTokenReuseLeeway = reuse > 0 ? TimeSpan.FromSeconds(reuse) : null;
            return _current = new SwitchSettings(
                update.AutoApprove ?? current.AutoApprove,
                update.AccessTokenLifetimeSeconds ?? current.AccessTokenLifetimeSeconds,
                update.RotateRefreshTokens ?? current.RotateRefreshTokens,
                reuse,
                update.TokenFailure ?? current.TokenFailure);
        }
    }
}
