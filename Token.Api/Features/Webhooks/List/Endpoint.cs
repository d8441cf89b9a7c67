using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Webhooks.List;

/// <summary><c>GET /webhooks</c>: every webhook, oldest first, without secrets.</summary>
public sealed class Endpoint(TokenDbContext db) : EndpointWithoutRequest<IReadOnlyList<WebhookResponse>>
{
    public override void Configure()
    {
        Get("/webhooks");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var webhooks = await db.Webhooks.AsNoTracking().OrderBy(w => w.CreatedAt).ToListAsync(ct);
        await Send.OkAsync([.. webhooks.Select(WebhookResponse.From)], ct);
    }
}
