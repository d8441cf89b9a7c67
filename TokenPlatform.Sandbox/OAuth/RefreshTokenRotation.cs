using OpenIddict.Abstractions;
using OpenIddict.Server;
using TokenPlatform.Sandbox.Controls;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>
/// Decides, per token request, whether a refresh token is returned and whether the one presented is used up.
/// OpenIddict's own rolling refresh tokens are a start-up option; the <c>rotate_refresh_tokens</c> switch can
/// change at any time, so OpenIddict's rolling is turned off and this handler takes its place.
/// </summary>
public sealed class RefreshTokenRotation(
    SandboxSwitches switches, IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<RefreshTokenRotation>()
            // After OpenIddict's own choice of tokens to issue, which it bases on the offline_access scope.
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType is not OpenIddictServerEndpointType.Token)
        {
            return;
        }

        // Like Google with access_type=offline: a code exchange always yields a refresh token, whatever the scopes.
        if (context.Request.IsAuthorizationCodeGrantType())
        {
            context.GenerateRefreshToken = context.IncludeRefreshToken = true;
            return;
        }

        if (!context.Request.IsRefreshTokenGrantType())
        {
            return;
        }

        var rotate = switches.Current.RotateRefreshTokens;
        context.GenerateRefreshToken = context.IncludeRefreshToken = rotate;
        if (!rotate)
        {
            return;
        }

        var authentication = context.Transaction.GetProperty<ProcessAuthenticationContext>(
            typeof(ProcessAuthenticationContext).FullName!);
        var tokenId = authentication?.RefreshTokenPrincipal?.GetTokenId();
        var token = string.IsNullOrEmpty(tokenId) ? null : await tokens.FindByIdAsync(
            tokenId, context.CancellationToken);

        // Losing a race with a concurrent use of the same refresh token means this one is spent, unless a reuse grace
        // period is on: OpenIddict let a used one through only within it, and it is rotated again.
        if (token is null
            || (!await tokens.TryRedeemAsync(token, context.CancellationToken)
                && !(switches.Current.RefreshTokenReuseSeconds > 0
                    && await tokens.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken))))
        {
            context.Reject(Errors.InvalidGrant, "The refresh token has already been used.");
        }
    }
}
