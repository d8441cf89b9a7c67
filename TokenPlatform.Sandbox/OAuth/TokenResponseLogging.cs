using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>
/// One structured log line per token response and per revocation: who, which grant, how long; never a token value.
/// </summary>
public sealed class TokenResponseLogging(
    ILogger<TokenResponseLogging> logger) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<TokenResponseLogging>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        var clientId = context.Request?.ClientId;
        var grantType = context.Request?.GrantType;
        if (!string.IsNullOrEmpty(context.Response.Error))
        {
            logger.LogInformation(
                "Token request from {ClientId} for grant {GrantType} refused: {Error}", clientId, grantType,
                context.Response.Error);
        }
        else if (context.Response.AccessToken is not null)
        {
            logger.LogInformation(
                "Issued an access token to {ClientId} for grant {GrantType}, lifetime {AccessTokenLifetimeSeconds} " +
                "s, new refresh token {RefreshTokenIssued}",
                clientId, grantType, context.Response.ExpiresIn, context.Response.RefreshToken is not null);
        }

        return default;
    }
}
