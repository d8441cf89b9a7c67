using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TokenPlatform.Benchmarks;

/// <summary>
/// Webhook delivery latency (docs/benchmarks.md, "Webhook delivery latency"): TokenRefreshed events committed at a
/// steady rate by the refresher, each timed from its commit (<c>occurredAt</c>) to its arrival at a loopback webhook
/// receiver and, in the same run, at a plain RabbitMQ subscriber. Every webhook's signature is checked as a receiver
/// would (Standard Webhooks, written here from the specification, not from the platform's code).
/// </summary>
public static class WebhookLatency
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(60);

    /// <summary>Each stored token is refreshed again every this many seconds, long after its last refresh ended.</summary>
    private const int PoolSeconds = 8;

    /// <summary>The burst at the end: this many seconds of events at the rate, committed at once.</summary>
    private const int BurstSeconds = 20;

    /// <summary>Loops committing events in turn (outbox producer).</summary>
    private const int Committers = 4;

    /// <param name="producer">
    /// <c>outbox</c>: each event committed to the outbox as the refresher commits it, paced, without a provider call
    /// (the platform's refresh capacity on a small machine is below 100/s, docs/benchmarks.md "Refresh");
    /// <c>refresh</c>: stored sandbox grants made due at the rate, refreshed by token-refresher.
    /// </param>
    /// <param name="settings">More AppHost settings, e.g. <c>Webhooks:Parallelism=64</c> (the AppHost forwards
    /// <c>Webhooks:*</c> to token-api and token-refresher).</param>
    public static async Task RunAsync(int seconds, int rate, string producer, string[] settings)
    {
        if (seconds < 1 || rate < 1 || rate > 1000 || producer is not ("outbox" or "refresh"))
        {
            throw new ArgumentException("SECONDS >= 1, 1 <= RATE <= 1000, PRODUCER outbox or refresh");
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, " +
            $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30} GiB, .NET {Environment.Version}; " +
            $"webhooks: {seconds} s at {rate} events/s ({producer}) after {WarmUp.TotalSeconds:0} s to warm up" +
            (settings.Length > 0 ? $"; with {string.Join(' ', settings)}" : ""));

        await using var receiver = await Receiver.StartAsync();
        // The receiver is plain http on loopback: allowed as a trusted origin (the sandbox's is added after it).
        await using var platform =
            await BenchPlatform.StartAsync(
                [$"--Providers:TrustedOrigins:0={receiver.Origin}", .. settings.Select(setting => "--" + setting)]);
        List<int> tokenIds = [];
        if (producer == "refresh")
        {
            var grants = await platform.Sandbox.CreateGrantsAsync(rate * PoolSeconds);
            await platform.Database.StoreAsync(grants.Grants, expiresIn: TimeSpan.FromHours(1));
            tokenIds = await platform.Database.TokenIdsAsync();
            Console.WriteLine($"{tokenIds.Count} grants stored ({grants.Elapsed.TotalSeconds:0.0} s at the sandbox)");
        }
        var (webhookId, secret) = await RegisterAsync(platform, receiver.Url);
        await using var amqp = await RefreshedEvents.SubscribeAsync(platform.App);
        Console.WriteLine($"webhook {webhookId} for token.refreshed to {receiver.Url}");

        // Both paths and the producer run once before the clock starts (first connections, first compilations): a
        // cold start would otherwise leave a backlog that the warm-up does not always clear.
        var primed = DateTimeOffset.UtcNow;
        await CommitEventsAsync(platform.Database, 20, primed, rate);
        await WaitForAsync(
            await platform.Database.RefreshedEventIdsAsync(webhookId, primed, DateTimeOffset.UtcNow), receiver, amqp);

        var total = WarmUp + TimeSpan.FromSeconds(seconds);
        var start = DateTimeOffset.UtcNow + Lead;
        var contention = Contention.Start();
        if (producer == "refresh")
        {
            await ScheduleRefreshesAsync(platform.Database, tokenIds, rate, start, total);
        }
        else
        {
            await CommitEventsAsync(platform.Database, (int)(total.TotalSeconds * rate), start, rate);
        }
        var windowStart = start + WarmUp;
        var windowEnd = start + total;
        var busy = contention.Report();
        // The last refreshes commit a little after they fall due.
        var settle = windowEnd + TimeSpan.FromSeconds(2) - DateTimeOffset.UtcNow;
        await Task.Delay(settle > TimeSpan.Zero ? settle : TimeSpan.Zero);

        var produced = (await platform.Database.RefreshedEventIdsAsync(webhookId, windowStart, windowEnd)).ToHashSet();
        await WaitForAsync(produced, receiver, amqp);

        var webhooks = receiver.Arrivals(secret);
        Console.WriteLine(busy);
        Console.WriteLine($"produced: {produced.Count} TokenRefreshed events committed in the {seconds} s window " +
            $"= {produced.Count / (double)seconds:0.0}/s (asked {rate}/s)");
        var webhookLatency = Report("webhook", webhooks.Valid, produced);
        Console.WriteLine($"webhook signatures: {webhooks.Valid.Count} valid, {webhooks.Invalid} failed verification, " +
            $"{webhooks.Duplicates} duplicate deliveries; deliveries of the webhook: " +
            await platform.Database.DeliveryStatusAsync(webhookId));
        Console.WriteLine("webhook deliveries of the window, by the worker's record: " +
            await platform.Database.DeliveryBreakdownAsync(webhookId, windowStart, windowEnd));
        var amqpLatency = Report("amqp", amqp.Arrivals, produced);
        if (webhookLatency is { } w && amqpLatency is { } a)
        {
            Console.WriteLine($"webhook/amqp: p50 {w.P50 / a.P50:0.00}x, p99 {w.P99 / a.P99:0.00}x, " +
                $"max {w.Max / a.Max:0.00}x");
            Console.WriteLine($"target webhook p99 < 1000 ms: {(w.P99 < 1000 ? "holds" : "missed")} ({w.P99:0} ms)");
        }
        // Where the tail comes from: a stall both paths share is the machine's, one of the webhooks alone is theirs.
        // Every second of the run, warm-up included, by commit: events, then each path's p50 and max.
        var everything = (await platform.Database.RefreshedEventIdsAsync(webhookId, start, windowEnd)).ToHashSet();
        var series = Path.Combine(Path.GetTempPath(), $"webhook-latency-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv");
        await File.WriteAllLinesAsync(series, ["second,events,webhook_p50_ms,webhook_max_ms,amqp_p50_ms,amqp_max_ms",
            .. BySecond(webhooks.Valid, everything, start).Join(BySecond(amqp.Arrivals, everything, start),
                w => w.Second, a => a.Second,
                (w, a) => $"{w.Second},{w.Count},{w.P50:0},{w.Max:0},{a.P50:0},{a.Max:0}")]);
        var slowest = BySecond(webhooks.Valid, produced, windowStart)
            .Join(BySecond(amqp.Arrivals, produced, windowStart), w => w.Second, a => a.Second,
                (w, a) => (w.Second, Webhook: w.Max, Amqp: a.Max))
            .OrderByDescending(second => second.Webhook).Take(5)
            .Select(second => $"+{second.Second} s {second.Webhook:0}/{second.Amqp:0}");
        Console.WriteLine($"slowest seconds of the window by commit, webhook/amqp max ms: {string.Join(", ", slowest)}");
        Console.WriteLine($"per second, warm-up included: {series}");

        // How fast each path clears a backlog: events committed all at once, from the first commit to the last arrival.
        var burstCount = BurstSeconds * rate;
        var burstStart = DateTimeOffset.UtcNow;
        await CommitEventsAsync(platform.Database, burstCount, burstStart);
        var committed = DateTimeOffset.UtcNow - burstStart;
        var burst = (await platform.Database.RefreshedEventIdsAsync(webhookId, burstStart, DateTimeOffset.UtcNow))
            .ToHashSet();
        await WaitForAsync(burst, receiver, amqp);
        Console.WriteLine($"burst: {burst.Count} events committed at once in {committed.TotalSeconds:0.0} s " +
            $"({burst.Count / committed.TotalSeconds:0}/s); all arrived, from the first commit: " +
            $"{Cleared("webhook", receiver.Arrivals(secret).Valid, burst)}, {Cleared("amqp", amqp.Arrivals, burst)}");
    }

    private static string Cleared(string path, IEnumerable<Arrival> arrivals, HashSet<Guid> events)
    {
        var arrived = arrivals.Where(arrival => events.Contains(arrival.EventId)).ToList();
        if (arrived.Count == 0)
        {
            return $"{path} none";
        }
        var elapsed = arrived.Max(arrival => arrival.ArrivedAt) - arrived.Min(arrival => arrival.OccurredAt);
        return $"{path} {arrived.Select(arrival => arrival.EventId).Distinct().Count()} in " +
            $"{elapsed.TotalSeconds:0.0} s ({arrived.Count / elapsed.TotalSeconds:0}/s)";
    }

    /// <summary>The events of each second by commit (from <paramref name="from"/>): how many, p50 and max latency.</summary>
    private static IEnumerable<(int Second, int Count, double P50, double Max)> BySecond(
        IEnumerable<Arrival> arrivals, HashSet<Guid> events, DateTimeOffset from) =>
        arrivals.Where(arrival => events.Contains(arrival.EventId))
            .GroupBy(arrival => (int)Math.Floor((arrival.OccurredAt - from).TotalSeconds))
            .OrderBy(second => second.Key)
            .Select(second =>
            {
                var latencies = second.Select(arrival => arrival.LatencyMs).ToList();
                return (second.Key, latencies.Count, Stats.Percentile(latencies, 0.5), latencies.Max());
            });

    /// <summary>
    /// Events 0 to <paramref name="count"/> - 1, event n committed at <paramref name="start"/> + n / rate (all at once
    /// without a rate), by <see cref="Committers"/> loops taking turns (one slow commit does not hold the next back);
    /// one that is late commits at once.
    /// </summary>
    private static async Task CommitEventsAsync(
        DatabaseBench database, int count, DateTimeOffset start, int? rate = null)
    {
        await Task.WhenAll(Enumerable.Range(0, Committers).Select(async committer =>
        {
            for (var n = committer; n < count; n += Committers)
            {
                var wait = start + TimeSpan.FromSeconds(rate is { } perSecond ? (double)n / perSecond : 0)
                    - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                await database.CommitRefreshedAsync(clientId: 1 + n % 1000, version: 2 + n / 1000);
            }
        }));
    }

    /// <summary>
    /// Second k's refreshes are made due one second ahead, each at its own time (evenly spaced): the refresher sleeps
    /// until the next due time, so it refreshes them as they fall due. Token n % pool takes event n.
    /// </summary>
    private static async Task ScheduleRefreshesAsync(
        DatabaseBench database, List<int> tokenIds, int rate, DateTimeOffset start, TimeSpan total)
    {
        for (var second = 0; second < (int)total.TotalSeconds; second++)
        {
            var wait = start + TimeSpan.FromSeconds(second - 1) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var events = Enumerable.Range(second * rate, rate).ToArray();
            await database.ScheduleAsync(
                [.. events.Select(n => tokenIds[n % tokenIds.Count])],
                [.. events.Select(n => start + TimeSpan.FromSeconds((double)n / rate))]);
        }
    }

    /// <summary>Until every one of <paramref name="events"/> has arrived on both paths, <see cref="Drain"/> at most.</summary>
    private static async Task WaitForAsync(IEnumerable<Guid> events, Receiver receiver, RefreshedEvents amqp)
    {
        var expected = events.ToHashSet();
        var started = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - started < Drain &&
               (Count(receiver.Unverified, expected) < expected.Count || Count(amqp.Arrivals, expected) < expected.Count))
        {
            await Task.Delay(200);
        }
    }

    private static int Count(IEnumerable<Arrival> arrivals, HashSet<Guid> produced) =>
        arrivals.Select(arrival => arrival.EventId).Where(produced.Contains).Distinct().Count();

    /// <summary>Prints one path's latencies over the window's events (the first arrival of each).</summary>
    private static (double P50, double P99, double Max)? Report(
        string path, IEnumerable<Arrival> arrivals, HashSet<Guid> produced)
    {
        var latencies = arrivals.Where(arrival => produced.Contains(arrival.EventId))
            .GroupBy(arrival => arrival.EventId).Select(first => first.Min(arrival => arrival.LatencyMs)).ToList();
        if (latencies.Count == 0)
        {
            Console.WriteLine($"{path,-8} 0 of {produced.Count} events arrived");
            return null;
        }
        var (p50, p99, max) = (Stats.Percentile(latencies, 0.50), Stats.Percentile(latencies, 0.99), latencies.Max());
        Console.WriteLine($"{path,-8} {latencies.Count} of {produced.Count} events, commit to arrival: " +
            $"p50 {p50:0} ms, p99 {p99:0} ms, max {max:0} ms");
        return (p50, p99, max);
    }

    private static async Task<(Guid Id, string Secret)> RegisterAsync(BenchPlatform platform, Uri url)
    {
        using var http = new HttpClient { BaseAddress = platform.App.GetEndpoint("token-api", "http") };
        http.DefaultRequestHeaders.Add("X-API-Key", platform.AdminApiKey);
        using var response = await http.PostAsJsonAsync("/webhooks",
            new { url, events = new[] { "token.refreshed" }, description = "webhook latency benchmark" });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"POST /webhooks: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (created["id"]!.GetValue<Guid>(), created["secret"]!.GetValue<string>());
    }

    /// <summary>
    /// A webhook receiver on a free loopback port: notes each request's headers, raw body and arrival, answers 204.
    /// </summary>
    private sealed class Receiver(WebApplication app, int port) : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Id, string Timestamp, string Signature, string Body,
            DateTimeOffset At)> _received = new();

        public string Origin => $"http://127.0.0.1:{port}";

        /// <summary>The <c>webhook-id</c> of every request so far, verified or not (for waiting, cheaply).</summary>
        public IEnumerable<Arrival> Unverified =>
            _received.Select(r => new Arrival(Guid.TryParse(r.Id, out var id) ? id : Guid.Empty, r.At, r.At));
        public Uri Url => new($"{Origin}/hooks");

        public static async Task<Receiver> StartAsync()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app, port);
            app.MapPost("/hooks", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                receiver._received.Enqueue((request.Headers["webhook-id"].ToString(),
                    request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(),
                    body, DateTimeOffset.UtcNow));
                return Results.NoContent();
            });
            await app.StartAsync();
            return receiver;
        }

        /// <summary>
        /// The webhooks received so far whose signature verifies with <paramref name="secret"/> and whose id is the
        /// event's, as arrivals; how many did not verify; how many repeated an id already received.
        /// </summary>
        public (List<Arrival> Valid, int Invalid, int Duplicates) Arrivals(string secret)
        {
            List<Arrival> valid = [];
            var invalid = 0;
            foreach (var (id, timestamp, signature, body, at) in _received)
            {
                var data = Verifies(secret, id, timestamp, signature, body, at)
                    ? JsonNode.Parse(body)?["data"] : null;
                if (data?["event_id"]?.GetValue<string>() != id)
                {
                    invalid++;
                    continue;
                }
                valid.Add(new Arrival(Guid.Parse(id), DateTimeOffset.Parse(data["occurred_at"]!.GetValue<string>()),
                    at));
            }
            return (valid, invalid, valid.Count - valid.Select(arrival => arrival.EventId).Distinct().Count());
        }

        /// <summary>Standard Webhooks: <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, ±5 minutes.</summary>
        private static bool Verifies(
            string secret, string id, string timestamp, string signatures, string body, DateTimeOffset receivedAt)
        {
            if (!long.TryParse(timestamp, out var seconds) || Math.Abs(receivedAt.ToUnixTimeSeconds() - seconds) > 300)
            {
                return false;
            }
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var expected = Encoding.ASCII.GetBytes("v1," +
                Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"))));
            return signatures.Split(' ').Any(signature =>
                CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), expected));
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}

/// <summary>
/// How busy the whole machine was over a window, other work on it included: its idle share (/proc/stat), and the share
/// of the time some task waited for a core (/proc/pressure/cpu). A tail both paths share is usually this.
/// </summary>
public sealed class Contention
{
    private readonly (double Idle, double Total) _stat = Stat();
    private readonly long _waited = Waited();
    private readonly long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();

    public static Contention Start() => new();

    public string Report()
    {
        var window = System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var (idle, total) = Stat();
        return $"machine over the {window:0} s run: {(idle - _stat.Idle) / (total - _stat.Total):P0} idle, " +
            $"a task waiting for a core {(Waited() - _waited) / 1e6 / window:P0} of the time (/proc/pressure/cpu)";
    }

    private static (double Idle, double Total) Stat()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(double.Parse).ToList();
        return (cpu[3] + cpu[4], cpu.Take(8).Sum());
    }

    /// <summary>Microseconds in which some task waited for a core ("some total=").</summary>
    private static long Waited()
    {
        var some = File.Exists("/proc/pressure/cpu") ? File.ReadLines("/proc/pressure/cpu").First() : "total=0";
        return long.Parse(some[(some.IndexOf("total=", StringComparison.Ordinal) + 6)..]);
    }
}

public static class Stats
{
    /// <summary>The nearest-rank percentile.</summary>
    public static double Percentile(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)];
    }
}
