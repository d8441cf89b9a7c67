using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Api.Features.Clients.Create;

/// <summary>
/// <c>POST /clients</c>: registers an OAuth client (its secret is stored encrypted and never shown again).
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog providers, SecretProtector protector, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, ClientResponse>
{
    public override void Configure()
    {
        Post("/clients");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var provider = request.Provider ?? ProviderDefinition.Google.Name;
        if (await providers.FindAsync(provider, ct) is null)
        {
            ThrowError(r => r.Provider, $"Provider '{provider}' does not exist.");
        }
        if (await db.Clients.AnyAsync(c => c.ClientId == request.ClientId, ct))
        {
            ThrowError($"A client with client_id '{request.ClientId}' already exists.", StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNow();
        var client = new Client
        {
            ClientId = request.ClientId,
            ClientSecret = protector.Protect(request.ClientSecret, SecretContext.ClientSecret(request.ClientId)),
            RedirectUri = request.RedirectUri,
            Provider = provider,
            IsActive = request.IsActive ?? true,
            CreatedAt = now,
            UpdatedAt = now
        };
        db.Clients.Add(client);
        await audit.SaveCreatedAsync(AuditAction.ClientCreated, client, c => c.Id, ct);

        await Send.CreatedAtAsync<Get.Endpoint>(new { id = client.Id }, ClientResponse.From(client), cancellation: ct);
    }
}
