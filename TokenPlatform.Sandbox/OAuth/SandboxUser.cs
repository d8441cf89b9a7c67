using System.Security.Claims;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>The one resource owner of the sandbox: every authorization is granted on their behalf.</summary>
public static class SandboxUser
{
    public const string Subject = "sandbox-user";
    public const string Name = "Sandbox Business Owner";

    /// <summary>The identity an authorization code is issued for, carrying the scopes the client asked for.</summary>
    public static ClaimsPrincipal Authorize(IEnumerable<string> scopes)
    {
        var identity = NewIdentity([]);
        identity.SetClaim(Claims.Subject, Subject).SetClaim(Claims.Name, Name);
        identity.SetScopes(scopes);
        return Finish(identity, accessTokenLifetime: null);
    }

    /// <summary>
    /// The identity for tokens issued from a redeemed code or refresh token, with the lifetime in force now.
    /// </summary>
    public static ClaimsPrincipal Reissue(ClaimsPrincipal granted, TimeSpan accessTokenLifetime) =>
        Finish(NewIdentity(granted.Claims), accessTokenLifetime);

    private static ClaimsIdentity NewIdentity(IEnumerable<Claim> claims) =>
        new(claims, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);

    private static ClaimsPrincipal Finish(ClaimsIdentity identity, TimeSpan? accessTokenLifetime)
    {
        // The identity token only exists when a client asks for openid; both token kinds may carry the name.
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);

        var principal = new ClaimsPrincipal(identity);
        return accessTokenLifetime is { } lifetime ? principal.SetAccessTokenLifetime(lifetime) : principal;
    }
}
