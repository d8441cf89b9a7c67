using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using Token.Core.Security;
using Token.Core.Tokens;
using TokenPlatform.Benchmarks;

namespace Chaos;

/// <summary>What the run ends with, read from tokendb, the sandbox and the subscriber, and checked as invariants.</summary>
/// <param name="grace">The provider's reuse grace period for a used refresh token (zero: none).</param>
public sealed class Outcome(Platform platform, List<Grant> grants, TimeSpan grace)
{
    /// <summary>
    /// The soonest a successor asks the provider again after a refresh was interrupted: the attempt lease runs out,
    /// then it waits for a holder that may still store (docs/reliability.md).
    /// </summary>
    private static readonly TimeSpan SoonestRetry = RefreshLeases.AttemptLease + TokenLifecycle.InterruptedSettle;

    private readonly SecretProtector _protector =
        new(Options.Create(new SecretEncryptionOptions { Keys = platform.EncryptionKey }));

    private sealed record Row(int Id, string ClientId, string? Refresh, long Version, bool IsValid, string? LastError);

    public async Task<int[]> ClientIdsAsync() => [.. (await RowsAsync(decrypt: false)).Select(r => r.Id)];

    /// <summary>
    /// Lets the platform finish what it started, then holds still: the refresh schedule is frozen (a token not in a
    /// refresh and whose last attempt was not interrupted gets its next refresh a day later; the run's own write, no
    /// new version, no event; repeated as refreshes in flight end), and then waits (bounded) until the outbox is
    /// empty and no event has arrived for 3 s. Short-lived tokens keep the refreshers busy otherwise, and the outbox
    /// would never be seen empty. The seconds it took, or null when not within <paramref name="limit"/>.
    /// </summary>
    public async Task<double?> SettleAsync(Events events, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        var (seen, quietSince) = (-1, Stopwatch.GetTimestamp());
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            await ScalarAsync("""
                WITH frozen AS (
                    UPDATE tokens SET refresh_due_at = now() + interval '1 day'
                    WHERE refresh_due_at < now() + interval '1 hour' AND refresh_attempted_at IS NULL
                      AND (lease_until IS NULL OR lease_until < now())
                    RETURNING 1)
                SELECT count(*) FROM frozen
                """);
            if (events.Received.Count != seen)
            {
                (seen, quietSince) = (events.Received.Count, Stopwatch.GetTimestamp());
            }
            if (await ScalarAsync("SELECT count(*) FROM outbox") == 0
                && Stopwatch.GetElapsedTime(quietSince) > TimeSpan.FromSeconds(3))
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
            await Task.Delay(500);
        }
        return null;
    }

    /// <summary>Checks and prints the invariants; true when every one holds.</summary>
    public async Task<bool> ReportAsync(Load load, Events events, List<Fault> faults, DateTimeOffset loadStartedAt,
        double? healthyAfter)
    {
        var rows = await RowsAsync(decrypt: true);
        var secrets = grants.ToDictionary(g => g.ClientId, g => g.ClientSecret);
        using var sandbox = new HttpClient { BaseAddress = platform.Sandbox.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var table = new List<(string Invariant, string Result, string Detail)>();

        // (a) Every grant alive at the sandbox: its refresh token as tokendb ends with it, introspected (RFC 7662).
        var dead = new List<Row>();
        foreach (var row in rows)
        {
            using var response = await sandbox.PostAsync("/connect/introspect", new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["token"] = row.Refresh ?? "", ["token_type_hint"] = "refresh_token",
                    ["client_id"] = row.ClientId, ["client_secret"] = secrets[row.ClientId]
                }));
            var active = response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonObject>())?["active"]?.GetValue<bool>() == true;
            if (!active)
            {
                dead.Add(row);
            }
        }
        var recorded = (await sandbox.GetFromJsonAsync<JsonArray>("/sandbox/requests"))!.Select(r => r!.AsObject()).ToList();
        var requests = recorded.Where(r => r["endpoint"]?.GetValue<string>() == "token"
            && r["grant_type"]?.GetValue<string>() == "refresh_token").ToList();
        var flagged = dead.Count(r => !r.IsValid);
        // The sandbox keeps its latest 100,000 requests: a dead grant is classified from its own requests only if the
        // log still reaches back to the load's start
        // (the grants' consents came before it).
        var complete = recorded.Min(r => r["at"]!.GetValue<DateTimeOffset>()) < loadStartedAt;
        List<double> RequestTimes(Row row) => [.. requests.Where(r => r["client_id"]?.GetValue<string>() == row.ClientId)
            .Select(r => (r["at"]!.GetValue<DateTimeOffset>() - loadStartedAt).TotalSeconds).Order()];
        // Its refresh was interrupted after the send at t0 (the last request before the refused one that the
        // provider did not answer 503), and from the soonest the platform may ask again until the provider's grace
        // period for that refresh token ended, the provider answered 503 or PostgreSQL was stopped (a successor reads
        // the grant before it asks) at every moment: no answer could come in time, whatever the platform did. The
        // faults that left it no chance, or null: lost through our fault.
        string? NoChance(Row row)
        {
            var sent = RequestTimes(row).SkipLast(1).Where(t => !During(faults, FaultKind.Provider503, t, after: 0)).ToList();
            if (grace <= TimeSpan.Zero || sent.Count == 0)
            {
                return null;
            }
            var (covered, until) = (sent[^1] + SoonestRetry.TotalSeconds, sent[^1] + grace.TotalSeconds);
            var causes = new SortedSet<string>();
            foreach (var fault in faults.Where(f => f.Kind is FaultKind.Provider503 or FaultKind.PostgresStop)
                         .OrderBy(f => f.StartedAt))
            {
                if (covered >= until || fault.StartedAt > covered)
                {
                    break;
                }
                if (fault.EndedAt > covered)
                {
                    covered = fault.EndedAt;
                    causes.Add(fault.Kind == FaultKind.Provider503 ? "the provider" : "the database");
                }
            }
            return covered >= until ? string.Join(" and ", causes) : null;
        }
        var causeOf = dead.ToDictionary(r => r.Id, NoChance);
        var ours = dead.Count(r => causeOf[r.Id] is null);
        var theirs = string.Join(", ", dead.Where(r => causeOf[r.Id] is not null).GroupBy(r => causeOf[r.Id])
            .OrderBy(g => g.Key).Select(g => $"{g.Count()} lost to {g.Key}"));

        table.Add(("(a) no grant lost through our fault", ours == 0 ? "PASS" : "FAIL",
            $"{rows.Count - dead.Count}/{rows.Count} refresh tokens active at the sandbox (introspection); dead: " +
            $"{dead.Count} ({flagged} marked reauthorization_required by the platform, {dead.Count - flagged} still " +
            $"marked valid); the sandbox revoked nothing by itself in this run. Interrupted after the send, and from " +
            $"{SoonestRetry.TotalSeconds:0} s after it (the soonest a successor asks again) until its " +
            $"{grace.TotalSeconds:0} s grace period ended, no moment with the provider answering and PostgreSQL up: " +
            (theirs.Length > 0 ? theirs : "none") + $"; {ours} through our fault" +
            (complete ? "" : "; THE SANDBOX'S REQUEST LOG NO LONGER REACHES THE LOAD'S START, so grants are counted " +
                "as ours that may be the provider's")));

        // (b) Sampled valid answers, checked at /tokeninfo right after the answer.
        var checks = load.Checks.ToList();
        var inactive = checks.Where(c => !c.Active && !c.ExpiredByCheck).ToList();
        table.Add(("(b) is_valid true was active", inactive.Count == 0 ? "PASS" : "FAIL",
            $"{checks.Count} sampled (every 10th valid answer, checked at GET /tokeninfo a median " +
            $"{Median(checks.Select(c => (double)c.CheckedAfterMs))} ms later); {inactive.Count} not active; " +
            $"{checks.Count(c => !c.Active && c.ExpiredByCheck)} expired between the answer and the check (answered " +
            "in their last milliseconds)"));

        // (c) Events: one per committed change: every version 2..final of each grant, once.
        var received = events.Received.ToList();
        // TokenRefreshFailed announces no change: it carries the version it failed to replace.
        var versioned = received.Where(e => e.Version > 0 && e.Type != "TokenRefreshFailed").ToList();
        var duplicateIds = received.GroupBy(e => e.EventId).Sum(g => g.Count() - 1);
        var twice = versioned.GroupBy(e => (e.ClientId, e.Version)).Count(g => g.Select(e => e.EventId).Distinct().Count() > 1);
        var seen = versioned.Select(e => (e.ClientId, e.Version)).ToHashSet();
        var missing = rows.Sum(r => Enumerable.Range(2, (int)Math.Max(0, r.Version - 1)).Count(v => !seen.Contains((r.Id, v))));
        var beyond = versioned.Count(e => rows.FirstOrDefault(r => r.Id == e.ClientId) is { } r && e.Version > r.Version);
        var left = await ScalarAsync("SELECT count(*) FROM outbox");
        var changes = rows.Sum(r => r.Version - 1);
        table.Add(("(c) one event per change", missing == 0 && twice == 0 && beyond == 0 && left == 0 ? "PASS" : "FAIL",
            $"{changes} committed changes (versions), {received.Count} events ({string.Join(", ", received
                .GroupBy(e => e.Type).Select(g => $"{g.Key} {g.Count()}"))}); versions without an event {missing}, " +
            $"redelivered ids {duplicateIds}, versions with two events {twice}, events beyond the stored version " +
            $"{beyond}, outbox rows left {left}"));

        // (d) 5xx from validate only while the database was down (or starting again: 10 s), and none of the gateway's
        // own (502, 504, no answer: a token-api it could not reach) while the other token-api was up, which is always
        // here: the kills of token-api follow one another.
        var answers = load.Answers.ToList();
        // By when the answer came: a request sent just before a stop is answered during it.
        var outsideDatabase = answers.Where(a => a.Status >= 500 && !During(faults, FaultKind.PostgresStop, a.EndMs / 1000.0))
            .ToList();
        table.Add(("(d) 5xx only while the database was down", outsideDatabase.Count == 0 ? "PASS" : "FAIL",
            $"{answers.Count(a => a.Status >= 500)} validate answers 5xx, {outsideDatabase.Count} of them outside a " +
            "PostgreSQL stop and its 10 s after" + (outsideDatabase.Count == 0 ? "" : ": " + string.Join(", ",
                outsideDatabase.GroupBy(a => (Target(a.Target), a.Status, Blame(faults, a.AtMs / 1000.0)))
                    .Select(g => $"{g.Key.Item1} {g.Key.Status} under {g.Key.Item3} ×{g.Count()}")))));
        // token-api never answers 502 or 504 itself.
        var gatewayOwn = answers.Where(a => a.Target == 0 && a.Status is 502 or 504).ToList();
        table.Add(("(d) gateway: no 5xx of its own", gatewayOwn.Count == 0 ? "PASS" : "FAIL",
            $"{answers.Count(a => a.Target == 0)} answers through the gateway; {gatewayOwn.Count} were 502 or 504; " +
            $"{answers.Count(a => a.Target == 0 && a.Status == 0)} took longer than 5 s" +
            (gatewayOwn.Count == 0 ? "" : ": " + string.Join(", ", gatewayOwn
                .GroupBy(a => (a.Status, Blame(faults, a.AtMs / 1000.0)))
                .Select(g => $"{g.Key.Status} under {g.Key.Item2} ×{g.Count()}")))));
        foreach (var group in answers.Where(a => a.Status >= 500 || a.Status == 0)
                     .GroupBy(a => (Fault: Blame(faults, a.AtMs / 1000.0), Target: Target(a.Target))).OrderBy(g => g.Key))
        {
            table.Add(($"(d) validate errors: {group.Key.Fault}, {group.Key.Target}", "REPORT",
                $"{group.Where(a => a.Status >= 500).Select(a => a.AtMs / 1000).Distinct().Count()} s with 5xx " +
                $"({group.Count(a => a.Status >= 500)} answers), {group.Where(a => a.Status == 0).Select(a => a.AtMs / 1000)
                    .Distinct().Count()} s with no answer ({group.Count(a => a.Status == 0)}: refused, or none within 5 s)"));
        }
        table.Add(("(d) validate answers", "REPORT", $"{answers.Count} in all, {answers.Count(a => a.IsValid)} valid, " +
            $"{answers.Count(a => a.Status == 200 && !a.IsValid)} 200 with is_valid false (" +
            string.Join(", ", load.InvalidReasons.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}")) + ")"));

        // Refreshes per second (TokenRefreshed, one per version) in the seconds a fault of each kind ran, against the
        // quiet seconds: no fault running, none ended in the 10 s before.
        var refreshed = received.Where(e => e.Type == "TokenRefreshed").DistinctBy(e => (e.ClientId, e.Version))
            .GroupBy(e => (long)(e.OccurredAt - loadStartedAt).TotalSeconds).ToDictionary(g => g.Key, g => g.Count());
        var lastSecond = refreshed.Count == 0 ? 0 : refreshed.Keys.Max();
        var seconds = Enumerable.Range(5, (int)Math.Max(0, lastSecond - 5)).Select(s => (double)s).ToList();
        string Rate(IEnumerable<double> span)
        {
            var list = span.ToList();
            return list.Count == 0 ? "-" : $"{list.Average(s => refreshed.GetValueOrDefault((long)s)):0.0}/s over {list.Count} s";
        }
        var quiet = seconds.Where(s => !faults.Any(f => s >= f.StartedAt && s <= f.EndedAt + 10));
        table.Add(("refresh throughput", "REPORT", $"quiet {Rate(quiet)}; " + string.Join("; ",
            faults.Select(f => f.Kind).Distinct().Order().Select(kind => $"{kind} {Rate(seconds.Where(s =>
                faults.Any(f => f.Kind == kind && s >= f.StartedAt && s <= f.EndedAt)))}"))));

        // What the services said of it: refreshes found interrupted after the provider was asked (and tried again),
        // and answers written again after the database failed them.
        var logs = Directory.GetFiles(ChildProcess.LogDirectory, "token-*.log").SelectMany(File.ReadLines).ToList();
        table.Add(("interrupted refreshes", "REPORT",
            $"{logs.Count(l => l.Contains("was interrupted after its refresh token was sent"))} found by a successor " +
            $"and tried again; {logs.Count(l => l.Contains("Storing the provider's answer for client"))} answers whose " +
            "write failed and was tried again"));

        // (e) Healthy again after the last fault.
        table.Add(("(e) healthy after last fault", healthyAfter is <= 30 ? "PASS" : "FAIL",
            (healthyAfter is { } h ? $"{h:0.0} s (every service's /health 200; target 30 s)" : "not within 60 s") +
            $"; services that exited by themselves and were started again after a back-off: {platform.ExitedByThemselves}"));

        Console.WriteLine();
        Console.WriteLine("| invariant | result | detail |");
        Console.WriteLine("|---|---|---|");
        foreach (var (invariant, result, detail) in table)
        {
            Console.WriteLine($"| {invariant} | {result} | {detail} |");
        }
        Console.WriteLine();
        Console.WriteLine("faults as run (s after the load started):");
        foreach (var fault in faults)
        {
            Console.WriteLine($"  {fault.StartedAt,6:0.0} .. {fault.EndedAt,6:0.0}  {fault}");
        }
        // Every grant lost through our fault (the first 20), and a few of each other cause.
        foreach (var row in dead.GroupBy(r => causeOf[r.Id] ?? "").OrderBy(g => g.Key)
                     .SelectMany(g => g.Take(g.Key == "" ? 20 : 3)))
        {
            var times = RequestTimes(row);
            Console.WriteLine($"dead grant {row.Id} ({row.ClientId}), lost to {causeOf[row.Id] ?? "us"}: " +
                $"version {row.Version}, is_valid {row.IsValid}, " +
                $"last_error {row.LastError ?? "none"}; its {times.Count} refresh requests at the sandbox, s after the " +
                "load started (and the fault then): " + string.Join(", ",
                    times.Select(t => $"{t:0.0} ({faults.FirstOrDefault(f => t >= f.StartedAt && t <= f.EndedAt)?.Kind.ToString() ?? "-"})")));
        }
        foreach (var check in inactive.Take(5))
        {
            Console.WriteLine($"inactive at the sandbox: client {check.ClientId} version {check.Version}, " +
                $"answered at t+{check.AtMs / 1000.0:0.0} s, checked {check.CheckedAfterMs} ms later");
        }
        var passed = table.All(row => row.Result != "FAIL");
        Console.WriteLine(passed ? "every invariant holds" : "an invariant does not hold");
        return passed;
    }

    private static string Target(int target) => target == 0 ? "via the gateway" : $"token-api-{target} direct";

    /// <summary>Whether a fault of this kind ran at that second, or ended at most <paramref name="after"/> s before.</summary>
    private static bool During(List<Fault> faults, FaultKind kind, double second, double after = 10) =>
        faults.Any(f => f.Kind == kind && second >= f.StartedAt && second <= f.EndedAt + after);

    /// <summary>
    /// The fault a second belongs to: one running then (the latest started, when several are), else the one that ended
    /// last within 10 s before.
    /// </summary>
    private static string Blame(List<Fault> faults, double second) =>
        faults.Where(f => second >= f.StartedAt && second <= f.EndedAt + 10)
            .OrderBy(f => second <= f.EndedAt ? 0 : 1).ThenByDescending(f => f.StartedAt)
            .FirstOrDefault()?.Kind.ToString() ?? "no fault";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    /// <summary>Unpooled: a pooled connection would be one the database's restart has closed.</summary>
    private NpgsqlConnection Connect() => new(
        new NpgsqlConnectionStringBuilder(platform.PostgresConnectionString) { Pooling = false }.ConnectionString);

    private async Task<List<Row>> RowsAsync(bool decrypt)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT t.client_id, c.client_id, t.refresh_token, t.version, t.is_valid, t.last_error
            FROM tokens t JOIN clients c ON c.id = t.client_id ORDER BY t.client_id
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt32(0);
            rows.Add(new Row(id, reader.GetString(1),
                decrypt && !reader.IsDBNull(2)
                    ? _protector.Unprotect((byte[])reader[2], SecretContext.RefreshToken(id)) : null,
                reader.GetInt64(3), reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return rows;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
