using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TokenPlatform.Sandbox.OAuth;

public sealed class RevocationLogging(
    ILogger<RevocationLogging> logger) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseSingletonHandler<RevocationLogging>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        if (!context.IsRejected)
        {
            logger.LogInformation(
                "Revoked a token of type {TokenType} for {ClientId}", context.GenericTokenPrincipal?.GetTokenType(),
                context.Request.ClientId);
        }

        return default;
    }
}
