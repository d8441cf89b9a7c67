using Npgsql;
using Token.Core.Data;

namespace Token.Refresher;

public static class RefresherExtensions
{
    /// <summary>
    /// Proactive refresh, the outbox relay, the gauges that watch both, and the purge of expired authorization
    /// requests.
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
        builder.Services.AddHostedService<OAuthStatePurgeWorker>();
        return builder;
    }
}
