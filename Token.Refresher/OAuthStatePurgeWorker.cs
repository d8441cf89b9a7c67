using Npgsql;
using Token.Core.Data;

namespace Token.Refresher;

/// <summary>Runs <see cref="OAuthStatePurge"/> now and then; every refresher does, which is harmless.</summary>
public sealed partial class OAuthStatePurgeWorker(
    IServiceScopeFactory scopes, RefresherMetrics metrics, TimeProvider time, ILogger<OAuthStatePurgeWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var purged = await scope.ServiceProvider.GetRequiredService<OAuthStatePurge>()
                    .PurgeAsync(stoppingToken);
                metrics.Purged(purged);
                if (purged > 0)
                {
                    LogPurged(purged);
                }
            }
            catch (NpgsqlException)
            {
                // The database is away, or its schema not there yet: next time.
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired authorization requests")]
    private partial void LogPurged(int count);
}
