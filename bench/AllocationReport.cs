#:package Microsoft.Diagnostics.Tracing.TraceEvent
// Where a process allocates (docs/benchmarks.md): reads a trace taken under load with
//   dotnet-trace collect -p PID --profile gc-verbose --duration 00:00:00:06 -o alloc.nettrace
// and prints the share of the sampled bytes (one GC AllocationTick event per ~100 KB) by type, and by type and the
// managed frames that allocated it.
// Usage: dotnet run bench/AllocationReport.cs -- alloc.nettrace [TOP]
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

var top = args.Length > 1 ? int.Parse(args[1]) : 25;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
long total = 0;
foreach (var traceEvent in log.Events)
{
    if (traceEvent is not GCAllocationTickTraceData tick)
    {
        continue;
    }
    total += tick.AllocationAmount64;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + tick.AllocationAmount64;
    var frames = new List<string>();
    for (var frame = tick.CallStack(); frame is not null && frames.Count < 6; frame = frame.Caller)
    {
        if (frame.CodeAddress.FullMethodName is { Length: > 0 } method)
        {
            frames.Add(method.Length > 90 ? method[..90] : method);
        }
    }
    var stack = $"{tick.TypeName} <= {string.Join(" <= ", frames)}";
    byStack[stack] = byStack.GetValueOrDefault(stack) + tick.AllocationAmount64;
}

Console.WriteLine($"sampled {total / 1e6:F1} MB");
Print(byType);
Console.WriteLine();
Print(byStack);

void Print(Dictionary<string, long> bytes)
{
    foreach (var (what, amount) in bytes.OrderByDescending(entry => entry.Value).Take(top))
    {
        Console.WriteLine($"{100.0 * amount / total,6:F2} %  {what}");
    }
}
