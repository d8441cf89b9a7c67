using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace TokenPlatform.Testing;

/// <summary>
/// The value of one tag of every measurement of one counter, as one service provider's meters record it (so other
/// hosts in the test process do not count).
/// </summary>
public sealed class CounterTags : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _values = new();

    public CounterTags(IServiceProvider services, string counter, string tag)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == counter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var measured in tags)
            {
                if (measured.Key == tag)
                {
                    _values.Enqueue((string)measured.Value!);
                }
            }
        });
        _listener.Start();
    }

    public string[] Values => [.. _values];

    public void Dispose() => _listener.Dispose();
}
