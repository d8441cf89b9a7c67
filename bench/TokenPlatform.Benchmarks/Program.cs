// Refresh benchmarks (docs/benchmarks.md), on a platform of their own (local, throw-away data):
//   1. throughput: N tokens due at once (a tenth of them first, to warm up), refreshed by the refresher against the
//      sandbox, next to the sandbox's own refresh capacity measured alone (after a warm-up too) in the same run; for
//      both, each process's CPU time per refresh;
//   2. event latency: from a TokenRefreshed's commit to a RabbitMQ subscriber;
//   3. scale: the database work of one refresh cycle with 10 due tokens among N stored, then among 1,000,000.
// Usage: dotnet run -c Release --project bench/TokenPlatform.Benchmarks -- [N=10000]
// With "client" instead (bench/client.sh): Token.Client's cached token against a validate round trip (ClientBench).
//
// Webhook delivery latency (WebhookLatency.cs), from an event's commit to a webhook receiver and to a RabbitMQ
// subscriber in the same run, at a steady rate of TokenRefreshed events:
//   dotnet run -c Release --project bench/TokenPlatform.Benchmarks -- webhooks [SECONDS=60] [RATE=100] \
//     [PRODUCER=outbox|refresh] [NAME=VALUE ...]   (the last: AppHost settings, e.g. Webhooks:Parallelism=64)
using TokenPlatform.Benchmarks;

if (args is ["client"])
{
    await ClientBench.RunAsync();
    return;
}

if (args.FirstOrDefault() == "webhooks")
{
    await WebhookLatency.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 60, args.Length > 2 ? int.Parse(args[2]) : 100,
        args.Length > 3 ? args[3] : "outbox", args.Length > 4 ? args[4..] : []);
    return;
}

var count = args.Length > 0 ? int.Parse(args[0]) : 10_000;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, " +
    $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30} GiB, .NET {Environment.Version}; {count} tokens");

await using var platform = await BenchPlatform.StartAsync();
var grants = await platform.Sandbox.CreateGrantsAsync(count);
Console.WriteLine($"{count} grants at the sandbox in {grants.Elapsed.TotalSeconds:0.0} s");

// Both sides are measured warm, as they run in production: the sandbox after 5 s of the same load, the platform
// after refreshing a tenth of the tokens (the first seconds of a .NET service go to compiling its code).
await platform.Sandbox.MeasureRefreshCapacityAsync(grants.Grants, TimeSpan.FromSeconds(5));
var capacityRun = TimeSpan.FromSeconds(20);
var alone = CpuUsage.Start();
var capacity = await platform.Sandbox.MeasureRefreshCapacityAsync(grants.Grants, capacityRun);
Console.WriteLine(
    $"sandbox alone: {capacity:0} refreshes/s ({SandboxBench.Parallelism} in parallel, as the refresher)");
Console.WriteLine(string.Join(Environment.NewLine,
    alone.Report((int)(capacity * capacityRun.TotalSeconds), "refresh")));

await platform.Database.StoreAsync(grants.Grants, expiresIn: TimeSpan.FromMinutes(10));
await using var events = await RefreshedEvents.SubscribeAsync(platform.App);
var warmUp = count / 10;
await platform.Database.MakeDueAsync(take: warmUp);
await platform.Database.WaitUntilRefreshedAsync(warmUp, TimeSpan.FromMinutes(5));
var measured = count - warmUp;
var started = DateTimeOffset.UtcNow;
var cpu = CpuUsage.Start();
await platform.Database.MakeDueAsync();
var refreshed = await platform.Database.WaitUntilRefreshedAsync(count, TimeSpan.FromMinutes(10));
var elapsed = refreshed.LastRefreshedAt - started;
Console.WriteLine($"platform: {measured} due at once (after {warmUp} to warm up) " +
    $"refreshed in {elapsed.TotalSeconds:0.0} s = {measured / elapsed.TotalSeconds:0} refreshes/s " +
    $"({measured / elapsed.TotalSeconds / capacity:P1} of the sandbox alone); " +
    $"all before expiry: {refreshed.AllBeforeExpiry}");
Console.WriteLine(string.Join(Environment.NewLine, cpu.Report(measured, "refresh")));

var latencies = await events.WaitForAsync(count, TimeSpan.FromMinutes(2));
Console.WriteLine($"event latency, commit to subscriber, {latencies.Count} events: " +
    $"p50 {Stats.Percentile(latencies, 0.50):0} ms, " +
    $"p99 {Stats.Percentile(latencies, 0.99):0} ms, max {latencies.Max():0} ms");

await platform.StopRefresherAsync();
var few = await platform.Database.MeasureCycleAsync(due: 10);
Console.WriteLine($"refresh cycle, 10 due among {await platform.Database.CountTokensAsync()} stored: " +
    $"median {few.Median:0.00} ms, p95 {few.P95:0.00} ms");
await platform.Database.AddIdleTokensAsync(1_000_000);
var many = await platform.Database.MeasureCycleAsync(due: 10);
Console.WriteLine($"refresh cycle, 10 due among {await platform.Database.CountTokensAsync()} stored: " +
    $"median {many.Median:0.00} ms, p95 {many.P95:0.00} ms ({many.Median / few.Median:0.00}x)");
