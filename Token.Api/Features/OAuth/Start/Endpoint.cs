using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Api.Infrastructure;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Api.Features.OAuth.Start;

/// <summary><c>GET /oauth/start/{client_id}</c>: begins an authorization-code flow with PKCE for the client.</summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog providers, AuthorizationRequests requests, IOptions<PublicUrlOptions> publicUrl,
    AuditTrail audit, TimeProvider time)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/oauth/start/{client_id}");
        Group<AdminSecretEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ClientId, ct);
        if (client is null)
        {
            ThrowError($"Client {request.ClientId} does not exist.", StatusCodes.Status404NotFound);
        }
        if (!client.IsActive)
        {
            ThrowError($"Client {request.ClientId} is not active.", StatusCodes.Status409Conflict);
        }
        var provider = await providers.FindAsync(client.Provider, ct);
        if (provider is null)
        {
            ThrowError(
                $"Provider '{client.Provider}' of client {request.ClientId} does not exist.",
                StatusCodes.Status409Conflict);
        }

        // A placeholder: its state is never disclosed, so only the login link's button (which replaces it) can go on.
        var authorization = requests.Create(client, provider);
        var ticket = RandomValues.New();
        var expiresAt = requests.NewExpiry();
        db.OAuthStates.Add(new OAuthState
        {
            State = authorization.StateHash,
            ClientId = client.Id,
            CodeVerifier = authorization.ProtectedVerifier,
            LoginTicket = RandomValues.Hash(ticket),
            ExpiresAt = expiresAt,
            CreatedAt = time.GetUtcNow()
        });
        audit.Record(AuditAction.ConsentStarted, client.Id);
        await db.SaveChangesAsync(ct);

        var loginUrl = $"{publicUrl.Value.BaseUrl.TrimEnd('/')}/oauth/login/{client.Id}?ticket={ticket}";
        await Send.OkAsync(new Response(client.Id, provider.Name, loginUrl, loginUrl, expiresAt), ct);
    }
}
