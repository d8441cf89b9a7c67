using FastEndpoints;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;
using Token.Core.Webhooks;

namespace Token.Api.Features.Webhooks.Create;

/// <summary><c>POST /webhooks</c>: an endpoint that receives the platform's events, signed with a new secret.</summary>
public sealed class Endpoint(TokenDbContext db, SecretProtector protector, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/webhooks");
        Group<AdminSecretEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var secret = WebhookSignature.NewSecret();
        var now = time.GetUtcNow();
        var webhook = new Webhook
        {
            Id = id,
            Url = request.Url!,
            Events = WebhookFields.MessageTypes(request.Events ?? [WebhookFields.AllEvents]),
            Description = request.Description,
            Secret = protector.Protect(secret, SecretContext.WebhookSecret(id)),
            CreatedAt = now,
            UpdatedAt = now
        };
        db.Webhooks.Add(webhook);
        audit.Record(AuditAction.WebhookCreated, id, db.Entry(webhook));
        await db.SaveChangesAsync(ct);

        var created = WebhookResponse.From(webhook);
        await Send.CreatedAtAsync<Get.Endpoint>(
            new { id }, new Response(id, created.Url, created.Events, created.Description, true, now, secret),
            cancellation: ct);
    }
}
