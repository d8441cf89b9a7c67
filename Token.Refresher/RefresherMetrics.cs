using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry;

namespace Token.Refresher;

/// <summary>The refresher's view of the whole platform, for the dashboard (meter <c>Token.Refresher</c>).</summary>
public sealed class RefresherMetrics
{
    public const string MeterName = "Token.Refresher";

    private readonly Counter<long> _relayed;
    private readonly Histogram<double> _relayDelay;
    private Snapshot _last = new(0, 0, 0, 0);

    public RefresherMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _relayed = meter.CreateCounter<long>("token.outbox.relayed", "{event}", "Events published with the broker's confirmation");
        _relayDelay = meter.CreateHistogram<double>("token.outbox.delay", "s", "From the event's commit to the broker's confirmation");
        meter.CreateObservableGauge("token.refresh.due", () => _last.Due, "{token}", "Valid tokens whose refresh is due now");
        meter.CreateObservableGauge("token.refresh.overdue", () => _last.Overdue, "{token}", "Valid tokens already expired");
        meter.CreateObservableGauge("token.outbox.backlog", () => _last.Backlog, "{event}", "Events waiting in the outbox");
        meter.CreateObservableGauge("token.outbox.oldest_age", () => _last.OldestAgeSeconds, "s", "Age of the oldest event waiting in the outbox");
    }

    public void Relayed(TimeSpan delay)
    {
        _relayed.Add(1);
        _relayDelay.Record(delay.TotalSeconds);
    }

    public void Observe(Snapshot snapshot) => _last = snapshot;

    public sealed record Snapshot(long Due, long Overdue, long Backlog, double OldestAgeSeconds);
}

/// <summary>Counts what the gauges report, every few seconds, with index-only queries (their cost is what is due, not what is stored).</summary>
public sealed class RefresherGaugeSampler(NpgsqlDataSource database, RefresherMetrics metrics, TimeProvider time) : BackgroundService
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
              (SELECT count(*) FROM tokens WHERE is_valid AND NOT is_revoked AND refresh_due_at <= now()),
              (SELECT count(*) FROM tokens WHERE is_valid AND NOT is_revoked AND expires_at <= now()),
              (SELECT count(*) FROM outbox),
              (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM outbox)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        metrics.Observe(new RefresherMetrics.Snapshot(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3)));
    }
}
