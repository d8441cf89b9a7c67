using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace Chaos;

public enum FaultKind
{
    KillRefresher, KillApi, PostgresStop, RabbitMQStop, Provider503, ProviderSlow, KillRefresherInAnswer
}

/// <summary>
/// One fault: when it starts (s after the load starts), how long it lasts, which instance it hits, and its lane (the
/// faults of one lane follow each other; lanes run side by side).
/// </summary>
public sealed record Fault(FaultKind Kind, double AtSeconds, double Seconds, int Target, int Lane = 0)
{
    /// <summary>How long the sandbox holds a refresh's answer back in <see cref="FaultKind.KillRefresherInAnswer"/>.</summary>
    private const int HeldAnswerMs = 3000;

    /// <summary>Servers, the provider and the kill that needs the provider's switch; then the plain kills.</summary>
    private static readonly FaultKind[][] Lanes =
    [
        [FaultKind.PostgresStop, FaultKind.RabbitMQStop, FaultKind.Provider503, FaultKind.ProviderSlow,
            FaultKind.KillRefresherInAnswer],
        [FaultKind.KillRefresher, FaultKind.KillApi]
    ];

    /// <summary>One kill or restart of a service at a time, whichever lane asks.</summary>
    private static readonly ConcurrentDictionary<ChildProcess, SemaphoreSlim> ServiceLocks = new();

    /// <summary>
    /// For <see cref="FaultKind.KillRefresherInAnswer"/>: its refreshes sent more than a second before the kill and not
    /// answered: the sandbox had handled them (used up their refresh tokens) and held their answers back.
    /// </summary>
    public long InFlightAtKill { get; set; }

    public double StartedAt { get; set; } = double.NaN;
    public double EndedAt { get; set; } = double.NaN;

    public override string ToString() => Kind switch
    {
        FaultKind.KillRefresher => $"kill -9 token-refresher-{Target + 1}, restarted after {Seconds:0.0} s",
        FaultKind.KillApi => $"kill -9 token-api-{Target + 1}, restarted after {Seconds:0.0} s",
        FaultKind.PostgresStop => $"PostgreSQL stopped (fast shutdown) for {Seconds:0.0} s",
        FaultKind.RabbitMQStop => $"RabbitMQ stopped for {Seconds:0.0} s",
        FaultKind.Provider503 => $"sandbox answers 503 on /connect/token for {Seconds:0.0} s",
        FaultKind.ProviderSlow => $"sandbox answers /connect/token after 5 s for {Seconds:0.0} s",
        _ => $"kill -9 token-refresher-{Target + 1} while the sandbox holds its refreshes' answers back " +
            $"(rotated, not yet sent), restarted after {Seconds:0.0} s" +
            (InFlightAtKill > 0 ? $" ({InFlightAtKill} in flight at the kill)" : "")
    } + (Lane > 0 ? $" [lane {Lane + 1}]" : "");

    /// <summary>
    /// A schedule drawn from <paramref name="seed"/>, in the first <paramref name="window"/> seconds. One lane: every
    /// kind once, then random kinds, one after the other, so each second of errors belongs to one fault. Two lanes:
    /// the servers and provider faults on one timeline, the kills of services on another, overlapping at random.
    /// </summary>
    public static List<Fault> Schedule(int seed, double window, int count, int lanes)
    {
        var random = new Random(seed);
        if (lanes == 1)
        {
            return Timeline(random, [.. Lanes.SelectMany(kinds => kinds)], window, count, lane: 0);
        }
        var servers = (int)Math.Round(count * 0.6);
        return [.. Timeline(random, Lanes[0], window, servers, lane: 0)
            .Concat(Timeline(random, Lanes[1], window, count - servers, lane: 1)).OrderBy(f => f.AtSeconds)];
    }

    private static List<Fault> Timeline(Random random, FaultKind[] allowed, double window, int count, int lane)
    {
        var kinds = allowed.ToList();
        while (kinds.Count < count)
        {
            kinds.Add(allowed[random.Next(allowed.Length)]);
        }
        kinds = [.. kinds.OrderBy(_ => random.Next())];
        var faults = new List<Fault>();
        var durations = kinds.Select(kind => kind switch
        {
            FaultKind.KillRefresher or FaultKind.KillApi or FaultKind.KillRefresherInAnswer => 2 + random.NextDouble() * 6,
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
            faults.Add(new Fault(kinds[i], Math.Round(at, 1), Math.Round(durations[i], 1), random.Next(2), lane));
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
                await KillAsync((Kind == FaultKind.KillApi ? platform.Apis : platform.Refreshers)[Target].Process,
                    pause, beforeKill: null);
                break;
            case FaultKind.KillRefresherInAnswer:
                // Every refresh sent from now on is done at the sandbox (its refresh token used up) and its answer
                // held back; the kill lands once the refresher has some in flight for more than a second, so that the
                // sandbox has handled them: the known hard case. Bounded: its provider circuit may still be open after
                // a provider fault, and then it sends none.
                var refresher = platform.Refreshers[Target].Process;
                await KillAsync(refresher, pause, async () =>
                {
                    await SwitchAsync(sandbox, new
                    {
                        mode = "slow_answer", status_code = 503, delay_ms = HeldAnswerMs, grant_type = "refresh_token"
                    });
                    var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 40;
                    while ((InFlightAtKill = await platform.RefreshesInFlightAsync(refresher, TimeSpan.FromSeconds(1))) < 3
                        && Stopwatch.GetTimestamp() < deadline)
                    {
                        await Task.Delay(100);
                    }
                }, async () => await SwitchAsync(sandbox, new { mode = "none", status_code = 503, delay_ms = 0 }));
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

    private static async Task KillAsync(
        ChildProcess service, TimeSpan pause, Func<Task>? beforeKill, Func<Task>? afterKill = null)
    {
        var exclusive = ServiceLocks.GetOrAdd(service, _ => new SemaphoreSlim(1));
        await exclusive.WaitAsync();
        try
        {
            if (beforeKill is not null)
            {
                await beforeKill();
            }
            await service.KillAsync();
            if (afterKill is not null)
            {
                await afterKill();
            }
            await Task.Delay(pause);
            service.Start();
        }
        finally
        {
            exclusive.Release();
        }
    }

    private static async Task SwitchAsync(HttpClient sandbox, object failure) =>
        (await sandbox.PutAsJsonAsync("/sandbox/switches", new { token_failure = failure })).EnsureSuccessStatusCode();
}
