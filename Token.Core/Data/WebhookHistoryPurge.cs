using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Core.Webhooks;

namespace Token.Core.Data;

/// <summary>
/// Deletes webhook attempts and finished deliveries older than <see cref="WebhookOptions.Retention"/>: the history
/// <c>GET /webhooks/{id}/deliveries</c> shows is recent by design, and nothing else would bound it. Pending deliveries
/// stay, whatever their age.
/// </summary>
public sealed class WebhookHistoryPurge(TokenDbContext db, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <returns>How many attempts and deliveries were deleted.</returns>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        return await db.WebhookAttempts.Where(a => a.AttemptedAt < cutoff).ExecuteDeleteAsync(ct)
               + await db.WebhookDeliveries
                   .Where(d => d.Status != WebhookDeliveryStatus.Pending && d.CreatedAt < cutoff)
                   .ExecuteDeleteAsync(ct);
    }
}
