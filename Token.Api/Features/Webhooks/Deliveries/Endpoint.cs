using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Webhooks;

namespace Token.Api.Features.Webhooks.Deliveries;

/// <summary>
/// <c>GET /webhooks/{id}/deliveries</c>: the latest attempts (50 unless <c>limit</c> says, at most 500) with their
/// status and latency, and how many deliveries are pending or were given up.
/// </summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/webhooks/{id}/deliveries");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (!await db.Webhooks.AnyAsync(w => w.Id == request.Id, ct))
        {
            ThrowError(WebhookFields.NotFound(request.Id), StatusCodes.Status404NotFound);
        }
        var counts = await db.WebhookDeliveries
            .Where(d => d.WebhookId == request.Id && d.Status != WebhookDeliveryStatus.Delivered)
            .GroupBy(d => d.Status).Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, ct);
        var attempts = await db.WebhookAttempts.AsNoTracking()
            .Where(a => a.WebhookId == request.Id).OrderByDescending(a => a.Id).Take(request.Limit ?? 50)
            .ToListAsync(ct);
        await Send.OkAsync(new Response(
            counts.GetValueOrDefault(WebhookDeliveryStatus.Pending), counts.GetValueOrDefault(WebhookDeliveryStatus.Failed),
            [.. attempts.Select(a => new AttemptResponse(
                a.DeliveryId, a.EventId, WebhookEvents.Name(a.MessageType), a.Attempt, a.AttemptedAt, a.Succeeded,
                a.StatusCode, a.LatencyMs, a.Error))]), ct);
    }
}
