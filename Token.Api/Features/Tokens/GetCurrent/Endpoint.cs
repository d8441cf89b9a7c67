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
        var token = await db.Tokens.AsNoTracking().FirstOrDefaultAsync(t => t.ClientId == request.ClientId, ct);
        if (token is null)
        {
            ThrowError($"Client {request.ClientId} has no token.", StatusCodes.Status404NotFound);
        }

        // A revoked token is not handed out again, even to a caller that asks for the raw grant.
        var accessToken = token.IsRevoked ? null : protector.Unprotect(
            token.AccessToken, SecretContext.AccessToken(token.ClientId));
        await Send.OkAsync(new Response(
            token.ClientId, accessToken, token.TokenType, token.Scope, token.ExpiresAt, token.IsValid, token.IsRevoked,
            token.Version, token.LastRefreshedAt, token.CreatedAt, token.UpdatedAt), ct);
    }
}
