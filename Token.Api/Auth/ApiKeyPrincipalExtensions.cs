using System.Security.Claims;

namespace Token.Api.Auth;

public static class ApiKeyPrincipalExtensions
{
    /// <summary>Admins reach every client; other keys only the clients in their list, if they have one.</summary>
    public static bool MayAccessClient(this ClaimsPrincipal user, int clientId) =>
        user.HasClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin)
        || !user.HasClaim(claim => claim.Type == ApiKeyHandler.ClientClaim)
        || user.HasClaim(ApiKeyHandler.ClientClaim, clientId.ToString());
}
