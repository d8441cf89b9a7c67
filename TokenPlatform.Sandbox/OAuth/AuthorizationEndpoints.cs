using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using TokenPlatform.Sandbox.Controls;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>
/// The parts of the flows OpenIddict hands back to us (passthrough): the user's decision, the identity in the
/// issued tokens, and Google's <c>tokeninfo</c>. Revocation and introspection are OpenIddict's own.
/// </summary>
public static class AuthorizationEndpoints
{
    public static WebApplication MapSandboxAuthorizationEndpoints(this WebApplication app)
    {
        app.MapGet(SandboxPaths.Authorize, Authorize);
        app.MapPost(SandboxPaths.Authorize, DecideAsync);
        app.MapPost(SandboxPaths.Token, ExchangeAsync);
        // Cast: a handler taking only HttpContext would otherwise bind as a RequestDelegate and drop its result.
        app.MapGet(SandboxPaths.TokenInfo, (Delegate)TokenInfoAsync);
        return app;
    }

    private static IResult Authorize(
        HttpContext context, SandboxSwitches switches, IAntiforgery antiforgery, ILogger<Authorization> logger)
    {
        var request = ServerRequest(context);
        if (switches.Current.AutoApprove)
        {
            logger.LogInformation("Auto-approved authorization for {ClientId}", request.ClientId);
            return Approve(request);
        }

        // Generating the antiforgery token also marks the page no-store and SAMEORIGIN-only.
        return ConsentPage.Render(request, context.Request.Query, antiforgery.GetAndStoreTokens(context));
    }

    // A POST here is only ever the consent form: it must carry the antiforgery token the page was rendered with.
    private static async Task<IResult> DecideAsync(
        HttpContext context, IAntiforgery antiforgery, ILogger<Authorization> logger)
    {
        var request = ServerRequest(context);
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest(
                new { error = Errors.InvalidRequest, error_description = "The consent form is missing its " +
                    "antiforgery token or it has expired; start the authorization again." });
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        switch (form[ConsentPage.DecisionField].ToString())
        {
            case ConsentPage.Allow:
                logger.LogInformation("Sandbox user allowed authorization for {ClientId}", request.ClientId);
                return Approve(request);

            case ConsentPage.Deny:
                logger.LogInformation("Sandbox user denied authorization for {ClientId}", request.ClientId);
                return Results.Forbid(
                    new AuthenticationProperties(new Dictionary<string, string?>
                    {
                        [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The resource owner " +
                            "denied the request."
                    }),
                    [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

            default:
                return Results.BadRequest(
                    new { error = Errors.InvalidRequest, error_description = $"The form must carry " +
                        $"{ConsentPage.DecisionField}={ConsentPage.Allow} or {ConsentPage.Deny}." });
        }
    }

    private static IResult Approve(OpenIddictRequest request) =>
        Results.SignIn(
            SandboxUser.Authorize(request.GetScopes()),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    /// <summary>
    /// OpenIddict has already authenticated the client and validated the code (with its PKCE verifier) or the
    /// refresh token; what is left is the identity and the access-token lifetime in force now.
    /// </summary>
    private static async Task<IResult> ExchangeAsync(HttpContext context, SandboxSwitches switches)
    {
        var request = ServerRequest(context);
        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
        {
            throw new InvalidOperationException(
                $"OpenIddict passed through the unexpected grant type {request.GrantType}.");
        }

        var granted = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (granted.Principal is null)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidGrant,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The grant is no longer valid."
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var lifetime = TimeSpan.FromSeconds(switches.Current.AccessTokenLifetimeSeconds);
        return Results.SignIn(
            SandboxUser.Reissue(granted.Principal, lifetime),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Google's <c>GET /tokeninfo?access_token=…</c>.</summary>
    private static async Task<IResult> TokenInfoAsync(HttpContext context)
    {
        if (await IssuedAccessTokens.ValidateAsync(context) is not { } principal
            || principal.GetExpirationDate() is not { } expiresAt)
        {
            return Results.Json(
                new { error = Errors.InvalidToken, error_description = "The access token is invalid, expired or " +
                    "revoked." },
                statusCode: StatusCodes.Status400BadRequest);
        }

        var expiresIn = (long)Math.Max(0, Math.Floor((expiresAt - DateTimeOffset.UtcNow).TotalSeconds));
        return Results.Ok(new TokenInfo(
            Active: true,
            ClientId: IssuedAccessTokens.ClientIdOf(principal),
            Scope: string.Join(' ', principal.GetScopes()),
            ExpiresIn: expiresIn,
            Sub: principal.GetClaim(Claims.Subject)));
    }

    private static OpenIddictRequest ServerRequest(HttpContext context) =>
        context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException(
            "OpenIddict did not attach a request to this endpoint.");

    public sealed record TokenInfo(bool Active, string? ClientId, string Scope, long ExpiresIn, string? Sub);

    /// <summary>Log category of the user's decisions.</summary>
    private sealed class Authorization;
}
