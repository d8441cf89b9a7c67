using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Features.Tokens.GetCurrent;

/// <summary><c>GET /tokens/client/{client_id}</c>: the stored grant as it is, without refreshing it.</summary>
public sealed class Endpoint(TokenDbContext db, SecretProtector protector) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/tokens/client/{client_id}");
        Group<TokenReaderEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var found = await db.Tokens.AsNoTracking().Where(t => t.ClientId == request.ClientId)
            .Select(t => new { Token = t, IsActive = db.Clients.Any(c => c.Id == t.ClientId && c.IsActive) })
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            ThrowError($"Client {request.ClientId} has no token.", StatusCodes.Status404NotFound);
        }

        // A revoked token, or one of a deactivated client, is not handed out, even to a caller that asks for the raw
        // grant.
        var token = found.Token;
        var served = found.IsActive && !token.IsRevoked;
        var accessToken = served
            ? protector.Unprotect(token.AccessToken, SecretContext.AccessToken(token.ClientId))
            : null;
        await Send.OkAsync(new Response(
            token.ClientId, accessToken, token.TokenType, token.Scope, token.ExpiresAt, token.IsValid && served,
            token.IsRevoked, token.Version, token.LastRefreshedAt, token.CreatedAt, token.UpdatedAt), ct);
    }
}
