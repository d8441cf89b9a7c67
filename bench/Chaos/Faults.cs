using System.Diagnostics;
using System.Net.Http.Json;

namespace Chaos;

public enum FaultKind { KillRefresher, KillApi, PostgresStop, RabbitMQStop, Provider503, ProviderSlow }

/// <summary>One fault: when it starts (s after the load starts), how long it lasts, which instance it hits.</summary>
public sealed record Fault(FaultKind Kind, double AtSeconds, double Seconds, int Target)
{
    public double StartedAt { get; set; } = double.NaN;
    public double EndedAt { get; set; } = double.NaN;

    public override string ToString() => Kind switch
    {
        FaultKind.KillRefresher => $"kill -9 token-refresher-{Target + 1}, restarted after {Seconds:0.0} s",
        FaultKind.KillApi => $"kill -9 token-api-{Target + 1}, restarted after {Seconds:0.0} s",
        FaultKind.PostgresStop => $"PostgreSQL stopped (fast shutdown) for {Seconds:0.0} s",
        FaultKind.RabbitMQStop => $"RabbitMQ stopped for {Seconds:0.0} s",
        FaultKind.Provider503 => $"sandbox answers 503 on /connect/token for {Seconds:0.0} s",
        _ => $"sandbox answers /connect/token after 5 s for {Seconds:0.0} s"
    };

    /// <summary>
    /// A schedule drawn from <paramref name="seed"/>: every kind once, then random kinds, one after the other (they do
    /// not overlap, so each second of errors belongs to one fault), in the first <paramref name="window"/> seconds.
    /// </summary>
    public static List<Fault> Schedule(int seed, double window, int count)
    {
        var random = new Random(seed);
        var kinds = Enum.GetValues<FaultKind>().ToList();
        while (kinds.Count < count)
        {
            kinds.Add(kinds[random.Next(6)]);
        }
        kinds = [.. kinds.OrderBy(_ => random.Next())];
        var faults = new List<Fault>();
        var durations = kinds.Select(kind => kind switch
        {
            FaultKind.KillRefresher or FaultKind.KillApi => 2 + random.NextDouble() * 6,
            FaultKind.PostgresStop => 5 + random.NextDouble() * 15,
            FaultKind.RabbitMQStop => 5 + random.NextDouble() * 25,
            _ => 5 + random.NextDouble() * 15
        }).ToList();
        // What is left of the window once the faults (and a few seconds of recovery each) are placed: the gaps.
        var spare = Math.Max(0, window - durations.Sum() - 8 * kinds.Count);
        var gaps = kinds.Select(_ => random.NextDouble()).ToList();
        var at = 5.0;
        for (var i = 0; i < kinds.Count; i++)
        {
            at += spare * gaps[i] / gaps.Sum();
            faults.Add(new Fault(kinds[i], Math.Round(at, 1), Math.Round(durations[i], 1), random.Next(2)));
            at += durations[i] + 8;
        }
        return faults;
    }

    /// <summary>Applies the fault, waits its time, and undoes it (restart, start, switch back).</summary>
    public async Task RunAsync(Platform platform, Stopwatch clock)
    {
        using var sandbox = new HttpClient { BaseAddress = platform.Sandbox.BaseAddress };
        StartedAt = clock.Elapsed.TotalSeconds;
        var pause = TimeSpan.FromSeconds(Seconds);
        switch (Kind)
        {
            case FaultKind.KillRefresher or FaultKind.KillApi:
                var service = (Kind == FaultKind.KillApi ? platform.Apis : platform.Refreshers)[Target].Process;
                await service.KillAsync();
                await Task.Delay(pause);
                service.Start();
                break;
            case FaultKind.PostgresStop:
                await platform.Postgres.StopAsync();
                await Task.Delay(pause);
                await platform.StartPostgresAsync();
                break;
            case FaultKind.RabbitMQStop:
                await platform.RabbitMQ.StopAsync();
                await Task.Delay(pause);
                await platform.StartRabbitMQAsync();
                break;
            default:
                await SwitchAsync(sandbox, Kind == FaultKind.Provider503
                    ? new { mode = "status", status_code = 503, delay_ms = 0 }
                    : new { mode = "slow", status_code = 503, delay_ms = 5000 });
                await Task.Delay(pause);
                await SwitchAsync(sandbox, new { mode = "none", status_code = 503, delay_ms = 0 });
                break;
        }
        EndedAt = clock.Elapsed.TotalSeconds;
    }

    private static async Task SwitchAsync(HttpClient sandbox, object failure) =>
        (await sandbox.PutAsJsonAsync("/sandbox/switches", new { token_failure = failure })).EnsureSuccessStatusCode();
}
