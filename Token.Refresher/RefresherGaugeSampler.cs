using Npgsql;
using OpenTelemetry;
using Token.Refresher.Webhooks;

namespace Token.Refresher;

/// <summary>
/// Counts what the gauges report, every few seconds, with index-only queries (their cost is what is due, not what is
/// stored).
/// </summary>
public sealed class RefresherGaugeSampler(
    NpgsqlDataSource database, RefresherMetrics metrics, WebhookMetrics webhooks, TimeProvider time)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using (SuppressInstrumentationScope.Begin())
                {
                    await SampleAsync(stoppingToken);
                }
            }
            catch (NpgsqlException)
            {
                // The database is away; the gauges keep their last values until it is back.
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            SELECT
              (SELECT count(*) FROM tokens t
               WHERE is_valid AND NOT is_revoked AND refresh_paused_reason IS NULL AND refresh_due_at <= now()
                 AND EXISTS (SELECT 1 FROM clients c WHERE c.id = t.client_id AND c.is_active)),
              (SELECT count(*) FROM tokens WHERE is_valid AND NOT is_revoked AND expires_at <= now()),
              (SELECT count(*) FROM outbox),
              (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM outbox),
              (SELECT count(*) FROM webhook_deliveries WHERE status = 'Pending'),
              (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
               FROM webhook_deliveries WHERE status = 'Pending')
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        metrics.Observe(
            new RefresherMetrics.Snapshot(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3)));
        webhooks.Observe(new WebhookMetrics.Snapshot(reader.GetInt64(4), reader.GetDouble(5)));
    }
}
