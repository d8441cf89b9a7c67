using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Update;

/// <summary>
/// <c>PATCH /providers/{name}</c>: only the fields present change; built-in providers cannot be changed.
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog catalog, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, ProviderResponse>
{
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

        provider.AuthorizationEndpoint = request.AuthorizationEndpoint ?? provider.AuthorizationEndpoint;
        provider.TokenEndpoint = request.TokenEndpoint ?? provider.TokenEndpoint;
        provider.RevocationEndpoint = request.RevocationEndpoint ?? provider.RevocationEndpoint;
        provider.Scopes = request.Scopes is null ? provider.Scopes : [.. request.Scopes];
        provider.AuthorizationParameters = request.AuthorizationParameters ?? provider.AuthorizationParameters;
        provider.TokenEndpointAuthMethod = request.TokenEndpointAuthMethod ?? provider.TokenEndpointAuthMethod;
        provider.UpdatedAt = time.GetUtcNow();
        audit.Record(AuditAction.ProviderUpdated, provider.Name, db.Entry(provider));
        await db.SaveChangesAsync(ct);
        await Send.OkAsync(ProviderResponse.From(ProviderCatalog.ToDefinition(provider)), ct);
    }
}
