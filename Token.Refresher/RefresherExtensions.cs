using Npgsql;
using Token.Core.Data;
using Token.Core.Outbound;
using Token.Refresher.Webhooks;

namespace Token.Refresher;

public static class RefresherExtensions
{
    /// <summary>
    /// Proactive refresh, the outbox relay, webhook deliveries, the gauges that watch them, and the purge of expired
    /// authorization requests.
    /// </summary>
    public static WebApplicationBuilder AddTokenRefresher(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(TokenDatabaseExtensions.ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{TokenDatabaseExtensions.ConnectionName} is not set; the AppHost provides it.");
        // The relay's own connections: one stays open to LISTEN, outside EF Core's pool.
        builder.Services.AddSingleton(
            _ => NpgsqlDataSource.Create(TokenDatabaseExtensions.WithPreparedStatements(connectionString)));
        builder.Services.AddSingleton<RefresherMetrics>();
        builder.Services.AddSingleton<SchemaReadiness>();
        builder.Services.AddHostedService<RefreshWorker>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<RefresherGaugeSampler>();
        builder.Services.AddScoped<OAuthStatePurge>();
        builder.Services.AddScoped<WebhookHistoryPurge>();
        builder.Services.AddHostedService<PurgeWorker>();

        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddHostedService<WebhookDeliveryWorker>();
        // The worker retries on its own schedule; a receiver's URL is an admin's, so the outbound rules apply.
#pragma warning disable EXTEXP0001 // the supported way to opt one client out of ServiceDefaults' resilience handler
        builder.Services.AddHttpClient(WebhookDeliveryWorker.HttpClientName).AddOutboundRules()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
