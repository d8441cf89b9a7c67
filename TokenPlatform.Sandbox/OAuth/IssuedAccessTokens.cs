using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>
/// The access tokens this server issued, checked as a resource server (or Google's tokeninfo) checks them.
/// </summary>
public static class IssuedAccessTokens
{
    /// <summary>
    /// The identity of the request's access token, or null. OpenIddict's validation looks the reference token up in
    /// the database, so a revoked or expired token is refused like an unknown one.
    /// </summary>
    public static async Task<ClaimsPrincipal?> ValidateAsync(HttpContext context) =>
        (await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)).Principal;

    public static string? ClientIdOf(ClaimsPrincipal principal) =>
        principal.GetClaim(Claims.ClientId) ?? principal.GetPresenters().FirstOrDefault();
}
