using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Api.Features.Tokens;
using Token.Core.Data;
using Token.Core.Tokens;

namespace Token.Api.Features.Clients.Delete;

/// <summary>
/// <c>DELETE /clients/{id}</c>: the client, its branches, grant and pending authorizations (cascade). A grant is
/// revoked at the provider first (RFC 7009), so the owner's consent does not outlive the client there, and
/// <c>TokenRevoked</c> is written with the delete. The client is deleted even when the provider cannot be reached:
/// the event's <c>provider_confirmed</c> then says false. The answer stays 204, as the legacy service's.
/// </summary>
public sealed class Endpoint(TokenDbContext db, TokenLifecycle lifecycle, TokenCache cache, AuditTrail audit)
    : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/clients/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Locked for the whole delete: no consent or PATCH of the client lands between the revocation and the delete.
        var client = await db.Clients.FromSql($"SELECT * FROM clients WHERE id = {request.Id} FOR UPDATE")
            .FirstOrDefaultAsync(ct);
        if (client is null)
        {
            ThrowError($"Client {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        audit.Record(AuditAction.ClientDeleted, client.Id);
        // Null without a grant; otherwise the revocation and its event are saved in this transaction.
        if (await lifecycle.RevokeAsync(client.Id, ct) is not null)
        {
            audit.Record(AuditAction.TokenRevoked, client.Id);
        }
        db.Clients.Remove(client);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        cache.Forget(request.Id);
        await Send.NoContentAsync(ct);
    }
}
