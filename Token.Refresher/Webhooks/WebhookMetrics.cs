using System.Diagnostics.Metrics;

namespace Token.Refresher.Webhooks;

/// <summary>What webhook deliveries do, for the dashboard (meter <see cref="RefresherMetrics.MeterName"/>).</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _delay;
    private readonly Counter<long> _disabled;
    private Snapshot _last = new(0, 0);

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(RefresherMetrics.MeterName);
        _attempts = meter.CreateCounter<long>(
            "token.webhooks.attempts", "{attempt}",
            "Webhook requests by outcome: delivered, retry (failed, another attempt scheduled), gave_up");
        _delay = meter.CreateHistogram<double>(
            "token.webhooks.delay", "s", "From the event's commit to the receiver's 2xx");
        _disabled = meter.CreateCounter<long>(
            "token.webhooks.disabled", "{webhook}", "Webhooks disabled because every attempt failed for too long");
        meter.CreateObservableGauge(
            "token.webhooks.pending", () => _last.Pending, "{delivery}", "Deliveries waiting to be sent or retried");
        meter.CreateObservableGauge(
            "token.webhooks.oldest_pending_age", () => _last.OldestAgeSeconds, "s",
            "Age of the oldest delivery still waiting");
    }

    public void Attempted(WebhookOutcome outcome) =>
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            WebhookOutcome.Delivered => "delivered",
            WebhookOutcome.Retry => "retry",
            _ => "gave_up"
        }));

    public void Delivered(TimeSpan sinceCommit) => _delay.Record(sinceCommit.TotalSeconds);

    public void Disabled() => _disabled.Add(1);

    public void Observe(Snapshot snapshot) => _last = snapshot;

    public sealed record Snapshot(long Pending, double OldestAgeSeconds);
}

public enum WebhookOutcome
{
    Delivered,
    Retry,
    GaveUp
}
