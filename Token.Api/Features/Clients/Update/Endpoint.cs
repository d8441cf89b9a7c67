using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Features.Clients.Update;

/// <summary><c>PATCH /clients/{id}</c>.</summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog providers, SecretProtector protector, TokenLifecycle lifecycle,
    AuditTrail audit, TimeProvider time)
    : Endpoint<Request, ClientResponse>
{
    public override void Configure()
    {
        Patch("/clients/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Id == request.Id, ct);
        if (client is null)
        {
            ThrowError($"Client {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        if (request.Provider is { } provider && await providers.FindAsync(provider, ct) is null)
        {
            ThrowError(r => r.Provider, $"Provider '{provider}' does not exist.");
        }

        if (request.ClientSecret is { } secret)
        {
            client.ClientSecret = protector.Protect(secret, SecretContext.ClientSecret(client.ClientId));
        }
        client.RedirectUri = request.RedirectUri ?? client.RedirectUri;
        client.Provider = request.Provider ?? client.Provider;
        client.IsActive = request.IsActive ?? client.IsActive;
        client.UpdatedAt = time.GetUtcNow();
        audit.Record(AuditAction.ClientUpdated, client.Id, db.Entry(client));
        await db.SaveChangesAsync(ct);
        if (request.ClientSecret is not null)
        {
            // Only once the new secret is stored, so that the resumed refresh uses it.
            await lifecycle.ResumeRefreshAsync(client.Id, ct);
        }

        await Send.OkAsync(ClientResponse.From(client), ct);
    }
}
