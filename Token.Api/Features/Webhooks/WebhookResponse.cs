using Token.Core.Data;
using Token.Core.Webhooks;

namespace Token.Api.Features.Webhooks;

/// <param name="Events">The event names it receives; <c>["*"]</c> for every event, those added later included.</param>
public sealed record WebhookResponse(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset? DisabledAt, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookResponse From(Webhook w) =>
        new(
            w.Id, w.Url, WebhookFields.EventNames(w.Events), w.Description, w.IsEnabled, w.DisabledReason,
            w.DisabledAt, w.PreviousSecretExpiresAt, w.CreatedAt, w.UpdatedAt);
}
