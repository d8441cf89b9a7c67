using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Delete;

/// <summary><c>DELETE /providers/{name}</c>: refused while a client still uses the provider.</summary>
public sealed class Endpoint(TokenDbContext db, ProviderCatalog catalog) : Endpoint<Request>
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
        if (await db.Providers.Where(p => p.Name == request.Name).ExecuteDeleteAsync(ct) == 0)
        {
            ThrowError($"Provider '{request.Name}' does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.NoContentAsync(ct);
    }
}
