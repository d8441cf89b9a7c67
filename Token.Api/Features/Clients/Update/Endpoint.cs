using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Api.Features.Tokens;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Features.Clients.Update;

/// <summary>
/// <c>PATCH /clients/{id}</c>. Moving a client to another provider ends its grant, and only when asked to
/// (<see cref="ProviderChangeGuard"/>). Deactivating a client stops its token from being served or refreshed, on every
/// instance (the event <c>ClientDeactivated</c>), until it is active again; its grant is kept.
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog providers, SecretProtector protector, TokenLifecycle lifecycle,
    ProviderChangeGuard guard, GrantStore grants, TokenCache cache, AuditTrail audit, TimeProvider time)
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
        var movedFrom = request.Provider is { } moveTo && moveTo != client.Provider ? client.Provider : null;
        var issuer = movedFrom is null ? null : await providers.FindAsync(movedFrom, ct);

        if (request.ClientSecret is { } secret)
        {
            client.ClientSecret = protector.Protect(secret, SecretContext.ClientSecret(client.ClientId));
        }
        client.RedirectUri = request.RedirectUri ?? client.RedirectUri;
        client.Provider = request.Provider ?? client.Provider;
        var deactivated = client.IsActive && request.IsActive is false;
        client.IsActive = request.IsActive ?? client.IsActive;
        client.UpdatedAt = time.GetUtcNow();
        // Before anything is saved: ending the grant saves the change too.
        var changed = AuditTrail.ChangedFields(db.Entry(client));

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var ended = await guard.EndGrantsAsync(movedFrom is null ? [] : [client.Id], request.RevokeGrants, _ =>
            $"Client {client.Id} holds a grant from provider '{movedFrom}'; moving it to '{client.Provider}' would " +
            $"send that grant's tokens there. Send \"{ProviderChangeGuard.RevokeGrantsField}\": true to revoke it " +
            $"with the move (here and at '{movedFrom}'); the business owner then consents again through " +
            "/oauth/start.", ct);
        audit.Record(AuditAction.ClientUpdated, client.Id, changed);
        if (deactivated)
        {
            await grants.AnnounceClientDeactivatedAsync(client.Id, ct);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (deactivated)
        {
            // The other instances drop theirs when the event arrives.
            cache.Forget(client.Id);
        }
        if (request.ClientSecret is not null)
        {
            // Only once the new secret is stored, so that the resumed refresh uses it.
            await lifecycle.ResumeRefreshAsync(client.Id, ct);
        }

        await guard.CompleteAsync(ended, issuer, ct);
        await Send.OkAsync(ClientResponse.From(client), ct);
    }
}
