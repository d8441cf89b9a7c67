using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Api.Features.Tokens;
using Token.Core.Data;

namespace Token.Api.Features.Clients.Delete;

/// <summary>
/// <c>DELETE /clients/{id}</c>: the client, its branches, grant and pending authorizations (cascade).
/// </summary>
public sealed class Endpoint(TokenDbContext db, TokenCache cache, AuditTrail audit) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/clients/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Id == request.Id, ct);
        if (client is null)
        {
            ThrowError($"Client {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        db.Clients.Remove(client);
        audit.Record(AuditAction.ClientDeleted, client.Id);
        await db.SaveChangesAsync(ct);
        cache.Forget(request.Id);
        await Send.NoContentAsync(ct);
    }
}
