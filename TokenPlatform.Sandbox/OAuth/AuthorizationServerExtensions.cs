using Microsoft.AspNetCore.DataProtection;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.OAuth;

public static class AuthorizationServerExtensions
{
    /// <summary>
    /// OpenIddict as an OAuth 2.0 server shaped like Google's: authorization code with mandatory S256 PKCE,
    /// refresh tokens, revocation, introspection, opaque (reference) tokens and any scope a client asks for.
    /// </summary>
    public static WebApplicationBuilder AddSandboxAuthorizationServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                // No SetIssuer: the issuer is the base URL of each request, since Aspire picks the port at run time.
                server.AddEventHandler(AnyHostIssuer.Server);
                server.SetAuthorizationEndpointUris(SandboxPaths.Relative(SandboxPaths.Authorize))
                    .SetTokenEndpointUris(SandboxPaths.Relative(SandboxPaths.Token))
                    .SetRevocationEndpointUris(SandboxPaths.Relative(SandboxPaths.Revoke))
                    .SetIntrospectionEndpointUris(SandboxPaths.Relative(SandboxPaths.Introspect));

                server.AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .RequireProofKeyForCodeExchange()
                    .Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));

                // Google scopes are URLs nobody registers up front: accept whatever a client asks for.
                server.DisableScopeValidation()
                    .IgnoreScopePermissions();

                // Reference tokens are opaque like Google's and live in the database, so revocation is immediate.
                server.UseReferenceAccessTokens()
                    .UseReferenceRefreshTokens();

                // The rotate_refresh_tokens switch decides per request (RefreshTokenRotation), and a used refresh
                // token is refused at once instead of after OpenIddict's default reuse leeway, unless the
                // refresh_token_reuse_seconds switch sets one.
                server.DisableRollingRefreshTokens()
                    .SetRefreshTokenReuseLeeway(null)
                    .AddEventHandler(RefreshTokenRotation.Descriptor)
                    .AddEventHandler(TokenResponseLogging.Descriptor)
                    .AddEventHandler(RevocationLogging.Descriptor);

                // Keys live as long as the process, like the default throw-away database; tokens kept in a
                // persistent database (Sandbox:DatabasePath) do not survive a restart.
                server.AddEphemeralEncryptionKey()
                    .AddEphemeralSigningKey();

                // Aspire runs the sandbox on plain HTTP on localhost.
                server.UseAspNetCore()
                    .DisableTransportSecurityRequirement()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough();
            })
            .AddValidation(validation =>
            {
                // tokeninfo validates access tokens with this server's keys and token entries.
                validation.UseLocalServer();
                validation.UseAspNetCore();
                validation.AddEventHandler(AnyHostIssuer.Validation);
            });

        // The consent form's antiforgery token only has to outlive one GET and its POST: keep its keys in
        // memory, like the signing keys, instead of in the user's profile.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery();
        return builder;
    }
}
