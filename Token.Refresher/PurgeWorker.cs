using Token.Core.Data;

namespace Token.Refresher;

/// <summary>
/// Runs <see cref="OAuthStatePurge"/> and <see cref="WebhookHistoryPurge"/> now and then; every refresher does, which
/// is harmless.
/// </summary>
public sealed partial class PurgeWorker(
    IServiceScopeFactory scopes, RefresherMetrics metrics, TimeProvider time, ILogger<PurgeWorker> logger)
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
                var history = await scope.ServiceProvider.GetRequiredService<WebhookHistoryPurge>()
                    .PurgeAsync(stoppingToken);
                if (history > 0)
                {
                    LogHistoryPurged(history);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away (EF's retries gave up), or its schema not there yet: next time. A worker that
                // threw would stop the whole refresher.
                LogPurgeFailed(exception);
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired authorization requests")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Deleted {Count} webhook attempts and deliveries past Webhooks:Retention")]
    private partial void LogHistoryPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired rows failed; next time")]
    private partial void LogPurgeFailed(Exception exception);
}
