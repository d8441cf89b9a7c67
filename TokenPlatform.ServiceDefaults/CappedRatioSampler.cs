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
    private readonly PerSecondBudget _budget;

    public CappedRatioSampler(double ratio, int maxPerSecond)
    {
        _ratio = new TraceIdRatioBasedSampler(ratio);
        _budget = new PerSecondBudget(maxPerSecond);
        Description = $"CappedRatioSampler{{{ratio}, {maxPerSecond}/s}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        _ratio.ShouldSample(parameters).Decision != SamplingDecision.Drop && _budget.TryTake() ? Keep : Drop;
}
