using System.Diagnostics;

namespace TokenPlatform.Benchmarks;

/// <summary>
/// CPU time used by each part of the platform over a window (Linux, from /proc), to tell where the shared cores go:
/// the ratio to the sandbox alone moves with the sandbox's own efficiency, CPU per refresh of the rest much less.
/// </summary>
public sealed class CpuUsage
{
    // First match wins; a process matching none is not counted.
    private static readonly (string Part, string CommandLine)[] Parts =
    [
        ("sandbox", "TokenPlatform.Sandbox"), ("token-refresher", "Token.Refresher"), ("token-api", "Token.Api"),
        ("token-gateway", "Token.Gateway"), ("postgres", "postgres"), ("rabbitmq", "beam.smp"),
        ("benchmark (AppHost, subscriber)", "TokenPlatform.Benchmarks"), ("dcp", "dcp")
    ];

    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux

    private readonly Dictionary<int, (string Part, double Seconds)> _started = Snapshot();
    private readonly double _idleAtStart = MachineIdleSeconds();
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public static CpuUsage Start() => new();

    /// <summary>One line per part: CPU seconds in the window and milliseconds per unit of work.</summary>
    public IEnumerable<string> Report(int work, string unit)
    {
        var ended = Snapshot();
        var window = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        yield return $"CPU over {window:0.0} s ({Environment.ProcessorCount} cores, " +
            $"{MachineIdleSeconds() - _idleAtStart:0.0} s idle), per {unit}:";
        var parts = ended
            .GroupBy(p => p.Value.Part,
                p => p.Value.Seconds - (_started.TryGetValue(p.Key, out var start) ? start.Seconds : 0))
            .Select(part => (Part: part.Key, Seconds: part.Sum()))
            .OrderByDescending(part => part.Seconds);
        foreach (var (part, seconds) in parts)
        {
            yield return $"  {part,-32} {seconds,6:0.0} s  {seconds * 1000 / work,5:0.00} ms";
        }
    }

    /// <summary>Idle and I/O-wait time of all cores together, from /proc/stat.</summary>
    private static double MachineIdleSeconds()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(cpu[4]) + long.Parse(cpu[5])) / TicksPerSecond;
    }

    /// <summary>Each counted process's part and CPU seconds (user and kernel) so far, by process id.</summary>
    private static Dictionary<int, (string Part, double Seconds)> Snapshot()
    {
        var used = new Dictionary<int, (string, double)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (Parts.FirstOrDefault(p => commandLine.Contains(p.CommandLine)).Part is not { } part)
                {
                    continue;
                }
                // utime and stime are fields 14 and 15; the command name before them may hold spaces,
                // so count from ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                used[pid] = (part, (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond);
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }
        return used;
    }
}
