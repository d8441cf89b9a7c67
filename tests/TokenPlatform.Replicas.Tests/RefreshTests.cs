using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace TokenPlatform.Replicas.Tests;

/// <summary>
/// Refresh across replicas: the refreshers' schedule, backoff and leases, and what two token-api instances serve,
/// through the real database, broker and provider.
/// </summary>
[Collection(ReplicasCollection.Name)]
public sealed class RefreshTests(ReplicasFixture replicas) : IAsyncLifetime
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(60);
    private readonly TokenPlatformApi _api = replicas.Api;

    public Task InitializeAsync() => _api.ClearSandboxRequestsAsync();

    // Every test leaves the sandbox as it found it: long-lived tokens, no failures.
    public Task DisposeAsync() => _api.SetSandboxSwitchesAsync(
        new { access_token_lifetime_seconds = 3600, token_failure = new { mode = "none" } });

    [Fact]
    public async Task The_refresher_refreshes_before_expiry_and_TokenRefreshed_arrives_on_RabbitMQ()
    {
        await using var events = await EventSubscription.StartAsync(replicas.Broker, ["TokenRefreshed"]);
        // A 10 s token is due 5 s after it was issued (the buffer is never more than half the lifetime); the
        // refresher looks for due tokens every second here.
        await _api.SetSandboxSwitchesAsync(new { access_token_lifetime_seconds = 10 });
        var client = await _api.CreateSandboxClientAsync();
        // Subscribers route by branch: the event names the client's branches, in order.
        using var admin = _api.Admin();
        string[] branchIds = [$"b-{client.Id}-north", $"a-{client.Id}-south"];
        foreach (var branchId in branchIds)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/branches",
                new { branch_id = branchId, client_id = client.Id })).StatusCode);
        }
        await _api.ConnectAsync(client.Id);
        var issued = await _api.TokenRowAsync(client.Id);

        var refreshed = await events.WaitForAsync("TokenRefreshed", client.Id, _ => true, EventTimeout);

        Assert.Equal(branchIds.Order(), refreshed["branchIds"]!.AsArray().Select(id => id!.GetValue<string>()));
        Assert.True(refreshed["tokenVersion"]!.GetValue<long>() > issued.Version);
        Assert.Equal("scheduled", refreshed["trigger"]!.GetValue<string>());
        Assert.True(refreshed["occurredAt"]!.GetValue<DateTimeOffset>() < issued.ExpiresAt,
            "refreshed only after the token expired");
        Assert.Null(refreshed["accessToken"]);
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
    }

    [Fact]
    public async Task While_the_provider_fails_the_valid_token_is_served_calls_stay_bounded_and_refreshing_resumes()
    {
        await using var events =
            await EventSubscription.StartAsync(replicas.Broker, ["TokenRefreshFailed", "TokenRefreshed"]);
        // An hour's token, due at once: it stays valid however long the failures last.
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        var issued = (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "status", status_code = 503, grant_type = "refresh_token" }
        });
        await _api.MakeDueAsync(client.Id);

        // At least 12 s of failures (longer, up to 40 s, until the refreshers have tried three times: on a loaded
        // machine they get round to it later), read five times a second by every caller: backoff (1, 2, 4, 4 s) and
        // the circuit keep the provider from hearing about it more than a handful of times.
        var outage = Stopwatch.StartNew();
        int calls;
        do
        {
            var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
            Assert.True(read["is_valid"]!.GetValue<bool>());
            Assert.Equal(issued, read["access_token"]!.GetValue<string>());
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            calls = await _api.RefreshAttemptsAsync(client.ClientId);
        }
        while ((outage.Elapsed < TimeSpan.FromSeconds(12) || calls < 3) && outage.Elapsed < TimeSpan.FromSeconds(40));
        Assert.InRange(calls, 2, 8);
        var failed = await events.WaitForAsync("TokenRefreshFailed", client.Id, _ => true, EventTimeout);
        Assert.Equal(3, failed["attempts"]!.GetValue<int>());

        await _api.SetSandboxSwitchesAsync(new { token_failure = new { mode = "none" } });
        await events.WaitForAsync("TokenRefreshed", client.Id, _ => true, TimeSpan.FromSeconds(30));
        var after = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.NotEqual(issued, after["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_validates_of_a_due_token_across_two_API_instances_make_one_provider_call_and_get_one_new_token()
    {
        await _api.SetSandboxSwitchesAsync(new { access_token_lifetime_seconds = 10 });
        using var reader = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"]));
        for (var round = 0; round < 3; round++)
        {
            var client = await _api.CreateSandboxClientAsync();
            await _api.ConnectAsync(client.Id);
            var issued = (await TokenPlatformApi.ReadJsonAsync(
                await reader.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();
            // A slow provider keeps the one refresh in flight while the readers arrive.
            await _api.SetSandboxSwitchesAsync(new
            {
                token_failure = new { mode = "slow", delay_ms = 2000, grant_type = "refresh_token" }
            });
            await _api.WaitUntilDueAsync(client.Id);

            var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
                await TokenPlatformApi.ReadJsonAsync(await reader.GetAsync($"/tokens/validate/{client.Id}"))));

            var tokens = answers.Select(answer => answer["access_token"]!.GetValue<string>()).Distinct().ToList();
            Assert.Single(tokens);
            Assert.NotEqual(issued, tokens[0]);
            Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
            await _api.SetSandboxSwitchesAsync(new { token_failure = new { mode = "none" } });
        }
    }

    [Fact]
    public async Task A_revoked_token_is_revoked_at_the_provider_and_no_API_instance_serves_it()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        // Both instances hold the token in memory: these reads alternate between them.
        var reads = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"))));
        var accessToken = reads[0]["access_token"]!.GetValue<string>();

        var revoked = await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{client.Id}"));
        Assert.True(revoked["provider_confirmed"]!.GetValue<bool>());

        await Eventually.HoldsAsync(async () =>
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
                await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"))));
            return answers.All(answer => !answer["is_valid"]!.GetValue<bool>());
        }, TimeSpan.FromSeconds(10), "an API instance still serves the revoked token");
        Assert.Contains(await _api.SandboxTokenRequestsAsync(), r => r!["endpoint"]!.GetValue<string>() == "revoke"
            && r["client_id"]?.GetValue<string>() == client.ClientId);
        using var sandbox = _api.Sandbox();
        var info = await TokenPlatformApi.ReadJsonAsync(
            await sandbox.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(accessToken)}"),
            HttpStatusCode.BadRequest);
        Assert.Equal("invalid_token", info["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_refreshers_claiming_due_tokens_in_overlapping_batches_refresh_each_token_exactly_once()
    {
        // Four claims of 16 (Refresh:BatchSize here), enough for the two refreshers' claims to overlap; consenting each
        // grant at the sandbox is what takes the time. The refresh benchmark runs 10,000 (bench/README.md).
        const int Due = 64;
        var clients = new System.Collections.Concurrent.ConcurrentBag<(int Id, string ClientId)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Due),
            new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            var client = await _api.CreateSandboxClientAsync();
            Assert.Equal(HttpStatusCode.OK, (await _api.ConnectAsync(client.Id)).Answer.StatusCode);
            clients.Add((client.Id, client.ClientId));
        });
        await _api.ClearSandboxRequestsAsync();
        var ids = clients.Select(c => c.Id).ToArray();

        await _api.MakeDueAsync(ids);
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = await _api.OpenDatabaseAsync();
            await using var refreshed = new NpgsqlCommand(
                "SELECT count(*) FROM tokens WHERE client_id = ANY(@ids) AND version >= 2", db);
            refreshed.Parameters.AddWithValue("ids", ids);
            return (long)(await refreshed.ExecuteScalarAsync())! == Due;
        }, TimeSpan.FromMinutes(3), "not every due token was refreshed");

        var calls = (await _api.SandboxTokenRequestsAsync())
            .Where(r => r!["grant_type"]?.GetValue<string>() == "refresh_token")
            .GroupBy(r => r!["client_id"]!.GetValue<string>())
            .ToDictionary(group => group.Key, group => group.Count());
        Assert.All(clients, client => Assert.Equal(1, calls.GetValueOrDefault(client.ClientId)));
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var versions = new NpgsqlCommand(
                "SELECT count(*) FROM tokens WHERE client_id = ANY(@ids) AND version = 2", db);
            versions.Parameters.AddWithValue("ids", ids);
            Assert.Equal((long)Due, await versions.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task A_refresh_interrupted_after_the_refresh_token_was_sent_is_taken_over_within_a_grace_period()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        await _api.ClearSandboxRequestsAsync();
        // A refresher recorded its attempt, sent the refresh token 17 s ago and died: its attempt lease has long run out.
        // Due tokens are not claimed this way (their claim leaves interrupted ones alone): only the refreshers' look
        // for interrupted refreshes, every second, takes it over.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var interrupt = new NpgsqlCommand("""
                UPDATE tokens SET refresh_due_at = now() - interval '20 seconds',
                    refresh_attempted_at = now() - interval '17 seconds', lease_owner = 'dead/1/refresher',
                    lease_until = now()
                WHERE client_id = @id
                """, db);
            interrupt.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await interrupt.ExecuteNonQueryAsync());
        }
        var interruptedAt = Stopwatch.GetTimestamp();

        await Eventually.HoldsAsync(async () => (await _api.TokenRowAsync(client.Id)).Version >= 2,
            TimeSpan.FromSeconds(30), "the interrupted refresh was not taken over");

        // Asked again inside a 30 s grace period counted from the send: 17 s gone, a 3 s settle, a poll, the call.
        Assert.True(Stopwatch.GetElapsedTime(interruptedAt) < TimeSpan.FromSeconds(13),
            $"taken over after {Stopwatch.GetElapsedTime(interruptedAt).TotalSeconds:0.0} s");
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var attempt = new NpgsqlCommand(
                "SELECT refresh_attempted_at IS NULL FROM tokens WHERE client_id = @id", db);
            attempt.Parameters.AddWithValue("id", client.Id);
            Assert.True((bool)(await attempt.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task A_refresh_whose_answer_takes_longer_than_the_attempt_lease_is_asked_for_once_while_its_holder_lives()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        await _api.ClearSandboxRequestsAsync();
        // Longer than the attempt lease, a refresher's look for interrupted refreshes (every second) and the 3 s a
        // successor waits before it asks, together; within the call's 15 s timeout.
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "slow", delay_ms = 13_000, grant_type = "refresh_token" }
        });

        await _api.MakeDueAsync([client.Id]);
        await Eventually.HoldsAsync(async () => (await _api.TokenRowAsync(client.Id)).Version >= 2,
            TimeSpan.FromSeconds(40), "the slow refresh was not stored");

        // Its holder renewed the lease all along: neither refresher took it for an interrupted one and asked again.
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
    }

    [Fact]
    public async Task Fifty_concurrent_forced_refreshes_across_both_instances_make_one_provider_call()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var admin = _api.Admin();

        // The client sends each request to the next instance in turn: 25 reach each. A slow provider keeps the one
        // refresh in flight while they arrive.
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "slow", delay_ms = 1500, grant_type = "refresh_token" }
        });
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }))));

        Assert.Equal(1, await _api.RefreshAttemptsAsync(clientId));
        Assert.Single(answers.Select(a => a["access_token"]!.GetValue<string>()).Distinct());
    }
}
