using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Webhooks.Update;

/// <summary><c>PATCH /webhooks/{id}</c>: only the fields present change.</summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, WebhookResponse>
{
    public const string DisabledByAdmin = "disabled by an admin";

    public override void Configure()
    {
        Patch("/webhooks/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == request.Id, ct);
        if (webhook is null)
        {
            ThrowError(WebhookFields.NotFound(request.Id), StatusCodes.Status404NotFound);
        }
        var now = time.GetUtcNow();
        webhook.Url = request.Url ?? webhook.Url;
        webhook.Events = request.Events is null ? webhook.Events : WebhookFields.MessageTypes(request.Events);
        webhook.Description = request.Description ?? webhook.Description;
        if (request.Enabled is { } enabled && enabled != webhook.IsEnabled)
        {
            webhook.IsEnabled = enabled;
            webhook.DisabledReason = enabled ? null : DisabledByAdmin;
            webhook.DisabledAt = enabled ? null : now;
            if (enabled)
            {
                // Enabled again, it starts with a clean record: its failures are counted afresh.
                webhook.FailingSince = null;
            }
        }
        webhook.UpdatedAt = now;
        audit.Record(AuditAction.WebhookUpdated, webhook.Id, db.Entry(webhook));
        await db.SaveChangesAsync(ct);
        await Send.OkAsync(WebhookResponse.From(webhook), ct);
    }
}
