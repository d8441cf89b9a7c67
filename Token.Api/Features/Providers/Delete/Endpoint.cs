using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Delete;

/// <summary><c>DELETE /providers/{name}</c>: refused while a client still uses the provider.</summary>
public sealed class Endpoint(TokenDbContext db, ProviderCatalog catalog, AuditTrail audit) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/providers/{name}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (catalog.IsBuiltIn(request.Name))
        {
            ThrowError($"'{request.Name}' is built in and cannot be deleted.", StatusCodes.Status409Conflict);
        }
        if (await db.Clients.AnyAsync(c => c.Provider == request.Name, ct))
        {
            ThrowError($"Clients still use provider '{request.Name}'.", StatusCodes.Status409Conflict);
        }
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Name == request.Name, ct);
        if (provider is null)
        {
            ThrowError($"Provider '{request.Name}' does not exist.", StatusCodes.Status404NotFound);
        }
        db.Providers.Remove(provider);
        audit.Record(AuditAction.ProviderDeleted, provider.Name);
        await db.SaveChangesAsync(ct);
        await Send.NoContentAsync(ct);
    }
}
