using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Webhooks.Delete;

/// <summary>
/// <c>DELETE /webhooks/{id}</c>: nothing more is sent to it; its pending deliveries and its attempts go with it.
/// </summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/webhooks/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == request.Id, ct);
        if (webhook is null)
        {
            ThrowError(WebhookFields.NotFound(request.Id), StatusCodes.Status404NotFound);
        }
        db.Webhooks.Remove(webhook);
        audit.Record(AuditAction.WebhookDeleted, webhook.Id);
        await db.SaveChangesAsync(ct);
        await Send.NoContentAsync(ct);
    }
}
