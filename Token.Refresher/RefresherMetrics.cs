using System.Diagnostics.Metrics;

namespace Token.Refresher;

/// <summary>The refresher's view of the whole platform, for the dashboard (meter <c>Token.Refresher</c>).</summary>
public sealed class RefresherMetrics
{
    public const string MeterName = "Token.Refresher";

    private readonly Counter<long> _relayed;
    private readonly Histogram<double> _relayDelay;
    private readonly Counter<long> _purged;
    private Snapshot _last = new(0, 0, 0, 0);

    public RefresherMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _relayed = meter.CreateCounter<long>(
            "token.outbox.relayed", "{event}", "Events published with the broker's confirmation");
        _relayDelay = meter.CreateHistogram<double>(
            "token.outbox.delay", "s", "From the event's commit to the broker's confirmation");
        _purged = meter.CreateCounter<long>(
            "token.oauth_states.purged", "{request}", "Expired authorization requests deleted");
        meter.CreateObservableGauge(
            "token.refresh.due", () => _last.Due, "{token}",
            "Valid tokens whose refresh is due now (not those paused for their client's credentials)");
        meter.CreateObservableGauge(
            "token.refresh.overdue", () => _last.Overdue, "{token}", "Valid tokens already expired");
        meter.CreateObservableGauge(
            "token.outbox.backlog", () => _last.Backlog, "{event}", "Events waiting in the outbox");
        meter.CreateObservableGauge(
            "token.outbox.oldest_age", () => _last.OldestAgeSeconds, "s",
            "Age of the oldest event waiting in the outbox");
    }

    public void Relayed(TimeSpan delay)
    {
        _relayed.Add(1);
        _relayDelay.Record(delay.TotalSeconds);
    }

    public void Purged(int count) => _purged.Add(count);

    public void Observe(Snapshot snapshot) => _last = snapshot;

    public sealed record Snapshot(long Due, long Overdue, long Backlog, double OldestAgeSeconds);
}
