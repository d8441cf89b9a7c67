namespace Microsoft.Extensions.Hosting;

/// <summary>
/// At most <c>perSecond</c> successful <see cref="TryTake"/> calls in each second of the process's clock,
/// over all threads: what keeps telemetry at a fixed cost however loaded a service is.
/// </summary>
public sealed class PerSecondBudget
{
    private readonly int _perSecond;
    private readonly Lock _newSecond = new();
    private long _second;
    private int _taken;

    public PerSecondBudget(int perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        _perSecond = perSecond;
    }

    public bool TryTake()
    {
        var second = Environment.TickCount64 / 1000;
        if (second > Volatile.Read(ref _second))
        {
            lock (_newSecond)
            {
                if (second > _second)
                {
                    _taken = 0;
                    Volatile.Write(ref _second, second);
                }
            }
        }
        return Interlocked.Increment(ref _taken) <= _perSecond;
    }
}
