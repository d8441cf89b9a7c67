using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Update;

/// <summary>
/// <c>PATCH /providers/{name}</c>: only the fields present change; built-in providers cannot be changed. A change of
/// where grants' tokens go ends the grants of the provider's clients, and only when asked to
/// (<see cref="ProviderChangeGuard"/>).
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog catalog, ProviderChangeGuard guard, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, ProviderResponse>
{
    // Where the clients' secrets and their grants' tokens are sent, and how. The authorization endpoint, scopes and
    // parameters only shape future consents, which the owner sees.
    private static readonly string[] GrantEndpointFields =
        ["token_endpoint", "revocation_endpoint", "token_endpoint_auth_method"];

    public override void Configure()
    {
        Patch("/providers/{name}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (catalog.IsBuiltIn(request.Name))
        {
            ThrowError($"'{request.Name}' is built in and cannot be changed.", StatusCodes.Status409Conflict);
        }
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Name == request.Name, ct);
        if (provider is null)
        {
            ThrowError($"Provider '{request.Name}' does not exist.", StatusCodes.Status404NotFound);
        }
        var issuer = ProviderCatalog.ToDefinition(provider);

        provider.AuthorizationEndpoint = request.AuthorizationEndpoint ?? provider.AuthorizationEndpoint;
        provider.TokenEndpoint = request.TokenEndpoint ?? provider.TokenEndpoint;
        provider.RevocationEndpoint = request.RevocationEndpoint ?? provider.RevocationEndpoint;
        provider.Scopes = request.Scopes is null ? provider.Scopes : [.. request.Scopes];
        provider.AuthorizationParameters = request.AuthorizationParameters ?? provider.AuthorizationParameters;
        provider.TokenEndpointAuthMethod = request.TokenEndpointAuthMethod ?? provider.TokenEndpointAuthMethod;
        provider.UpdatedAt = time.GetUtcNow();
        var changed = AuditTrail.ChangedFields(db.Entry(provider));
        var redirected = GrantEndpointFields.Intersect(changed).ToList();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var clientIds = redirected.Count == 0
            ? []
            : await db.Clients.Where(c => c.Provider == provider.Name).Select(c => c.Id).ToListAsync(ct);
        var ended = await guard.EndGrantsAsync(clientIds, request.RevokeGrants, live =>
            $"{clientIds.Count} clients use provider '{provider.Name}' and {live} of them hold a grant. Changing " +
            $"{string.Join(", ", redirected)} would send their tokens elsewhere. Send " +
            $"\"{ProviderChangeGuard.RevokeGrantsField}\": true to revoke those grants with the change (here and at " +
            "the current revocation endpoint); each business owner then consents again through /oauth/start.", ct);
        audit.Record(AuditAction.ProviderUpdated, provider.Name, changed);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        await guard.CompleteAsync(ended, issuer, ct);
        await Send.OkAsync(ProviderResponse.From(ProviderCatalog.ToDefinition(provider)), ct);
    }
}
