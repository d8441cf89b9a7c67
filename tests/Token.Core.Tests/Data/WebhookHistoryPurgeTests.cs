using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Token.Core.Data;
using Token.Core.Webhooks;

namespace Token.Core.Tests.Data;

public sealed class WebhookHistoryPurgeTests(TokenServicesFixture fixture) : IClassFixture<TokenServicesFixture>
{
    [Fact]
    public async Task Attempts_and_finished_deliveries_past_the_retention_are_deleted_and_pending_ones_kept()
    {
        var now = fixture.Time.GetUtcNow();
        var retention = new WebhookOptions().Retention;
        var (old, recent) = (now - retention - TimeSpan.FromMinutes(1), now - retention + TimeSpan.FromMinutes(1));
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var webhook = new Webhook { Id = Guid.NewGuid(), Url = "https://hooks.example.com/", Secret = [1] };
        var oldDelivered = Delivery(webhook, WebhookDeliveryStatus.Delivered, old);
        var oldFailed = Delivery(webhook, WebhookDeliveryStatus.Failed, old);
        var oldPending = Delivery(webhook, WebhookDeliveryStatus.Pending, old);
        var recentDelivered = Delivery(webhook, WebhookDeliveryStatus.Delivered, recent);
        db.Webhooks.Add(webhook);
        db.WebhookDeliveries.AddRange(oldDelivered, oldFailed, oldPending, recentDelivered);
        db.WebhookAttempts.AddRange(Attempt(oldDelivered, old), Attempt(recentDelivered, recent));
        await db.SaveChangesAsync();

        var purged = await new WebhookHistoryPurge(db, Options.Create(new WebhookOptions()), fixture.Time)
            .PurgeAsync(CancellationToken.None);

        Assert.Equal(3, purged);
        var left = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhook.Id)
            .Select(d => d.Id).ToListAsync();
        Assert.Equal(new[] { oldPending.Id, recentDelivered.Id }.Order(), left.Order());
        Assert.Equal(
            [recentDelivered.Id],
            await db.WebhookAttempts.Where(a => a.WebhookId == webhook.Id).Select(a => a.DeliveryId).ToListAsync());
    }

    private static WebhookDelivery Delivery(Webhook webhook, WebhookDeliveryStatus status, DateTimeOffset createdAt) =>
        new()
        {
            Id = Guid.NewGuid(), WebhookId = webhook.Id, EventId = Guid.NewGuid(),
            MessageType = WebhookEvents.MessageType("token.refreshed"), Payload = "{}", Status = status,
            NextAttemptAt = createdAt, CreatedAt = createdAt
        };

    private static WebhookAttempt Attempt(WebhookDelivery delivery, DateTimeOffset at) =>
        new()
        {
            WebhookId = delivery.WebhookId, DeliveryId = delivery.Id, EventId = delivery.EventId,
            MessageType = delivery.MessageType, Attempt = 1, AttemptedAt = at, Succeeded = true
        };
}
