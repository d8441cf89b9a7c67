using OpenIddict.Server;
using OpenIddict.Validation;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>
/// The issuer is the base URL of each request, so a code issued at http://localhost:5180 would otherwise be refused
/// at http://127.0.0.1:5180. Only this process holds the keys that protect its tokens, so the issuer check adds
/// nothing here: any name the sandbox is reached by is accepted.
/// </summary>
public static class AnyHostIssuer
{
    public static OpenIddictServerHandlerDescriptor Server { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenContext>()
            .UseInlineHandler(static context =>
            {
                context.TokenValidationParameters.ValidateIssuer = false;
                return default;
            })
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictValidationHandlerDescriptor Validation { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ValidateTokenContext>()
            .UseInlineHandler(static context =>
            {
                context.TokenValidationParameters.ValidateIssuer = false;
                return default;
            })
            .SetOrder(OpenIddictValidationHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();
}
