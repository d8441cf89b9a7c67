using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Token.Core.Tokens;

/// <summary>What refreshes do, for the dashboard (meter <c>Token.Refresh</c>).</summary>
public sealed class RefreshMetrics
{
    public const string MeterName = "Token.Refresh";

    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _interrupted;
    private readonly Counter<long> _storeRetries;

    public RefreshMetrics(IMeterFactory meters, RefreshLeases leases)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            "token.refresh.in_flight", () => leases.AttemptsHeld, "{refresh}",
            "Refreshes this process has sent and not yet stored or given up; their leases are renewed every second");
        _refreshes = meter.CreateCounter<long>(
            "token.refreshes", "{refresh}",
            "Refresh attempts by outcome: refreshed, reauthorization_required, paused (the provider refused the " +
            "client's credentials), failed, circuit_open, superseded");
        _duration = meter.CreateHistogram<double>("token.refresh.duration", "s", "Time of a provider's refresh call");
        _coalesced = meter.CreateCounter<long>(
            "token.refresh.coalesced", "{refresh}",
            "Forced refreshes answered by a refresh made since the version their caller saw, without a provider call");
        _interrupted = meter.CreateCounter<long>(
            "token.refresh.interrupted", "{refresh}",
            "Refreshes found interrupted after the provider was asked (the process died, or the answer could not be " +
            "stored), when the token was claimed again");
        _storeRetries = meter.CreateCounter<long>(
            "token.refresh.store_retries", "{retry}",
            "Writes of a provider's answer tried again after the database failed them");
    }

    public void RecordInterrupted(string provider) => _interrupted.Add(1, new TagList { { "provider", provider } });

    public void RecordStoreRetry(string provider) => _storeRetries.Add(1, new TagList { { "provider", provider } });

    public void RecordCoalesced(RefreshTrigger trigger) =>
        _coalesced.Add(1, new TagList { { "trigger", trigger.ToTag() } });

    public void Record(string outcome, RefreshTrigger trigger, string provider, TimeSpan? duration = null)
    {
        var tags = new TagList { { "outcome", outcome }, { "trigger", trigger.ToTag() }, { "provider", provider } };
        _refreshes.Add(1, tags);
        if (duration is { } elapsed)
        {
            _duration.Record(elapsed.TotalSeconds, tags);
        }
    }
}
