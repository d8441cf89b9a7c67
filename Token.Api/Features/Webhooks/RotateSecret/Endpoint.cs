using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;
using Token.Core.Webhooks;

namespace Token.Api.Features.Webhooks.RotateSecret;

/// <summary>
/// <c>POST /webhooks/{id}/rotate-secret</c>: a new signing secret. Until the overlap ends every delivery carries two
/// signatures, one per secret, so the receiver can switch to the new one at its own pace.
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, SecretProtector protector, IOptions<WebhookOptions> options, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/webhooks/{id}/rotate-secret");
        Group<AdminSecretEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == request.Id, ct);
        if (webhook is null)
        {
            ThrowError(WebhookFields.NotFound(request.Id), StatusCodes.Status404NotFound);
        }
        var now = time.GetUtcNow();
        var overlap = request.OverlapSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : options.Value.SecretOverlap;
        var secret = WebhookSignature.NewSecret();
        // A rotation inside an overlap ends the older one: at most two secrets sign.
        var overlapping = overlap > TimeSpan.Zero;
        webhook.PreviousSecret = overlapping ? webhook.Secret : null;
        webhook.PreviousSecretExpiresAt = overlapping ? now + overlap : null;
        webhook.Secret = protector.Protect(secret, SecretContext.WebhookSecret(webhook.Id));
        webhook.UpdatedAt = now;
        audit.Record(AuditAction.WebhookSecretRotated, webhook.Id, db.Entry(webhook));
        await db.SaveChangesAsync(ct);
        await Send.OkAsync(new Response(webhook.Id, secret, webhook.PreviousSecretExpiresAt), ct);
    }
}
