using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps a share of new traces (<c>Telemetry:TraceSampleRatio</c>, by trace id) and no more than
/// <c>Telemetry:MaxTracesPerSecond</c> of them per second in this process, so that a loaded service exports what a
/// quiet one does (docs/architecture.md, "Telemetry at load").
/// </summary>
internal sealed class CappedRatioSampler : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    private readonly TraceIdRatioBasedSampler _ratio;
    private readonly int _maxPerSecond;
    private readonly Lock _newSecond = new();
    private long _second;
    private int _kept;

    public CappedRatioSampler(double ratio, int maxPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerSecond);
        _ratio = new TraceIdRatioBasedSampler(ratio);
        _maxPerSecond = maxPerSecond;
        Description = $"CappedRatioSampler{{{ratio}, {maxPerSecond}/s}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (_ratio.ShouldSample(parameters).Decision == SamplingDecision.Drop)
        {
            return Drop;
        }

        var second = Environment.TickCount64 / 1000;
        if (second > Volatile.Read(ref _second))
        {
            lock (_newSecond)
            {
                if (second > _second)
                {
                    _kept = 0;
                    Volatile.Write(ref _second, second);
                }
            }
        }
        return Interlocked.Increment(ref _kept) <= _maxPerSecond ? Keep : Drop;
    }
}
