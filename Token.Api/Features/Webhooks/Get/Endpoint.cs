using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Webhooks.Get;

/// <summary><c>GET /webhooks/{id}</c>: the webhook without its secret, and why it is disabled if it is.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, WebhookResponse>
{
    public override void Configure()
    {
        Get("/webhooks/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var webhook = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == request.Id, ct);
        if (webhook is null)
        {
            ThrowError(WebhookFields.NotFound(request.Id), StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(WebhookResponse.From(webhook), ct);
    }
}
