// The fault-injection run of issue 18 (docs/reliability.md): the whole platform as local processes, N grants at the
// sandbox with short access-token lifetimes and refresh-token rotation, a steady stream of validate calls, a fault
// schedule drawn from a seed; at the end, the invariants as a table. Exit code 0 when every invariant holds, 1 when
// one does not, 130 when interrupted.
//   dotnet bench/Chaos/bin/Release/net10.0/Chaos.dll [--grants N] [--minutes M] [--seed S] [--lifetime SECONDS]
//     [--reuse-seconds SECONDS] [--lanes 1|2]   (bench/chaos.sh)
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using Chaos;
using TokenPlatform.Benchmarks;

var grantsWanted = Option("--grants", 200);
var minutes = Option("--minutes", 2);
var seed = Option("--seed", Environment.TickCount & 0xFFFF);
var lifetime = Option("--lifetime", 60);
// The provider's reuse grace period for a used refresh token (0: none, a replay is refused).
var reuseSeconds = Option("--reuse-seconds", 0);
var lanes = Math.Clamp(Option("--lanes", 1), 1, 2);
var window = minutes * 60.0;
// One fault every 20 s of the window, shared among the lanes.
var schedule = Fault.Schedule(seed, window, Math.Max(7, (int)(window / 20)), lanes);
Console.WriteLine($"chaos: {grantsWanted} grants, {minutes} min, seed {seed}, access tokens live {lifetime} s, " +
    $"rotation on, reuse grace period {(reuseSeconds > 0 ? $"{reuseSeconds} s" : "none")}, {lanes} fault lane(s); " +
    $"{Environment.ProcessorCount} cores");
Console.WriteLine("schedule (replay with the same --seed, --minutes and --lanes):");
foreach (var fault in schedule)
{
    Console.WriteLine($"  t+{fault.AtSeconds,6:0.0} s  {fault}");
}

using var cancel = new CancellationTokenSource();
// Ctrl+C, SIGTERM or SIGHUP: stop the run, then every process it started (the finally below).
using var stopSignals = new CompositeDisposable([.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
    .Select(signal => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        cancel.Cancel();
    }))]);
var platform = new Platform();
try
{
    var setup = Stopwatch.StartNew();
    await platform.StartServersAsync();
    var grants = (await new SandboxBench(platform.Sandbox.BaseAddress).CreateGrantsAsync(grantsWanted)).Grants;
    using var sandbox = new HttpClient { BaseAddress = platform.Sandbox.BaseAddress };
    (await sandbox.PutAsJsonAsync("/sandbox/switches",
        new
        {
            rotate_refresh_tokens = true, access_token_lifetime_seconds = lifetime,
            refresh_token_reuse_seconds = reuseSeconds
        })).EnsureSuccessStatusCode();
    await platform.StartServicesAsync();
    var database = new DatabaseBench(platform.PostgresConnectionString, platform.EncryptionKey);
    await database.StoreAsync(grants, expiresIn: TimeSpan.FromSeconds(lifetime));
    var tokenIds = (await database.TokenIdsAsync()).ToArray();
    // The first refreshes spread over half a lifetime; from then on the refresher keeps them going by itself.
    var now = DateTimeOffset.UtcNow;
    await database.ScheduleAsync(tokenIds,
        [.. tokenIds.Select((_, i) => now + TimeSpan.FromSeconds(2 + (lifetime / 2.0) * i / tokenIds.Length))]);
    var reader = new Outcome(platform, grants, TimeSpan.FromSeconds(reuseSeconds));
    var clientIds = await reader.ClientIdsAsync();
    Console.WriteLine($"setup: servers, sandbox, {grants.Count} grants, migrations, 5 services in {setup.Elapsed.TotalSeconds:0} s");

    await using var events = await Events.SubscribeAsync(platform.RabbitMQConnectionString);
    var clock = Stopwatch.StartNew();
    var loadStartedAt = DateTimeOffset.UtcNow;
    Console.WriteLine($"load started at {loadStartedAt:HH:mm:ss.fff} UTC; services' output: {ChildProcess.LogDirectory}");
    using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
    var load = new Load([platform.Gateway.Port, .. platform.Apis.Select(a => a.Port)], platform.AdminApiKey,
        platform.Sandbox.BaseAddress, clientIds, callers: 4, TimeSpan.FromMilliseconds(20), clock);
    var loadRun = load.RunAsync(stopLoad.Token);
    await Task.WhenAll(schedule.GroupBy(fault => fault.Lane).Select(async lane =>
    {
        foreach (var fault in lane)
        {
            var wait = TimeSpan.FromSeconds(fault.AtSeconds) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancel.Token);
            }
            Console.WriteLine($"t+{clock.Elapsed.TotalSeconds,6:0.0} s  {fault}");
            await fault.RunAsync(platform, clock);
        }
    }));
    var lastFault = clock.Elapsed.TotalSeconds;
    var healthyAfter = await platform.WaitHealthyAsync(TimeSpan.FromSeconds(60));
    Console.WriteLine($"t+{clock.Elapsed.TotalSeconds,6:0.0} s  last fault over; healthy after " +
        (healthyAfter is { } h ? $"{h:0.0} s" : "more than 60 s"));
    // The rest of the window (if any) without faults, then 10 s more of load.
    var rest = TimeSpan.FromSeconds(Math.Max(window, lastFault) + 10) - clock.Elapsed;
    if (rest > TimeSpan.Zero)
    {
        await Task.Delay(rest, cancel.Token);
    }
    await stopLoad.CancelAsync();
    await loadRun;
    // A broker restarted near the end may take its clients a while to reconnect: events late are not lost.
    var settled = await reader.SettleAsync(events, TimeSpan.FromSeconds(120));
    Console.WriteLine($"t+{clock.Elapsed.TotalSeconds,6:0.0} s  refresh schedule frozen; outbox " +
        (settled is { } d ? $"empty and events quiet after {d:0.0} s" : "not empty after 120 s"));
    await platform.StopServicesAsync();
    Console.WriteLine($"t+{clock.Elapsed.TotalSeconds,6:0.0} s  load stopped, services stopped; checking");
    Environment.ExitCode = await reader.ReportAsync(load, events, schedule, loadStartedAt, healthyAfter) ? 0 : 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted: stopping everything");
    Environment.ExitCode = 130;
}
finally
{
    await platform.DisposeAsync();
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

/// <summary>Disposes each of its parts.</summary>
internal sealed class CompositeDisposable(IDisposable[] parts) : IDisposable
{
    public void Dispose()
    {
        foreach (var part in parts)
        {
            part.Dispose();
        }
    }
}
