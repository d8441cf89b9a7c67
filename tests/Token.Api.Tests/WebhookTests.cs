using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Token.Api.Tests;

/// <summary>
/// Webhooks on a token-api and a token-refresher of their own (the refresher delivers), to receivers on loopback
/// ports, which are on <c>Providers:TrustedOrigins</c> as an in-house receiver over http would be. Retries are seconds
/// apart, so a receiver that is down for 30 s is waited out within the test.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class WebhookTests(TokenApiFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(20);

    private readonly WebhookReceiver _receiver = new();
    private OwnPlatform _platform = null!;

    private TokenPlatformApi Api => _platform.Api;

    public async Task InitializeAsync()
    {
        await _receiver.StartAsync();
        _platform = await StartPlatformAsync(_receiver, disableAfter: TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await fixture.Api.ResetSandboxAsync();
        await _platform.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Every_event_arrives_once_signed_as_the_specification_says_and_without_a_token()
    {
        var secret = await RegisterAsync(_receiver.Url, "*");

        // token.issued, token.refreshed, token.revoked
        var revoked = await ConnectedClientAsync();
        using var admin = Api.Admin();
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = revoked }));
        await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{revoked}"));
        // token.reauthorization_required: the provider refuses the grant.
        var refused = await ConnectedClientAsync();
        await Api.SetSandboxSwitchesAsync(new { token_failure = new { mode = "invalid_grant", grant_type = "refresh_token" } });
        await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = refused });
        // token.refresh_failed: the provider is down (one failure is enough here), then client.deactivated.
        var failing = await ConnectedClientAsync();
        await Api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "status", status_code = 503, grant_type = "refresh_token" }
        });
        await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = failing });
        await fixture.Api.ResetSandboxAsync();
        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync($"/clients/{failing}", new { is_active = false }));

        (int Client, string Type)[] expected =
        [
            (revoked, "token.issued"), (revoked, "token.refreshed"), (revoked, "token.revoked"),
            (refused, "token.issued"), (refused, "token.reauthorization_required"),
            (failing, "token.issued"), (failing, "token.refresh_failed"), (failing, "client.deactivated")
        ];
        foreach (var (client, type) in expected)
        {
            await _receiver.WaitForAsync(h => h.ClientId == client && h.Type == type, Arrival, $"{type} of {client}");
        }
        var received = _receiver.Received;
        Assert.Equal(expected.Length, received.Count);
        Assert.Equal(received.Count, received.Select(h => h.Id).Distinct().Count());
        foreach (var webhook in received)
        {
            Assert.True(Verifies(secret, webhook), $"the signature of {webhook.Type} does not verify");
            Assert.InRange(
                long.Parse(webhook.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
                DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var data = webhook.Json["data"]!.AsObject();
            Assert.Equal(webhook.Id, data["event_id"]!.GetValue<string>());
            Assert.Equal(data["occurred_at"]!.GetValue<string>(), webhook.Json["timestamp"]!.GetValue<string>());
            Assert.DoesNotContain("token\":", webhook.Body.Replace("\"type\":", ""));
        }
        var refreshed = received.Single(h => h.ClientId == revoked && h.Type == "token.refreshed").Json["data"]!;
        Assert.Equal(2, refreshed["token_version"]!.GetValue<long>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", refreshed["expires_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_webhook_receives_only_the_events_it_asked_for()
    {
        await RegisterAsync(_receiver.Url, "token.revoked");
        var client = await ConnectedClientAsync();
        using var admin = Api.Admin();
        await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{client}"));

        await _receiver.WaitForAsync(h => h.ClientId == client, Arrival, "token.revoked");
        Assert.Equal(["token.revoked"], _receiver.Received.Select(h => h.Type));
    }

    [Fact]
    public async Task Deliveries_to_a_receiver_down_for_30_s_all_arrive_afterwards_and_the_attempts_are_listed()
    {
        var secret = await RegisterAsync(_receiver.Url, "*");
        var webhook = (await ListAsync()).Single()!["id"]!.GetValue<string>();
        await _receiver.StopAsync();
        var clients = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await ConnectedClientAsync());
        }
        using var admin = Api.Admin();
        await Eventually.HoldsAsync(
            async () => (await DeliveriesAsync(admin, webhook))["attempts"]!.AsArray()
                .Any(a => a!["succeeded"]!.GetValue<bool>() is false),
            Arrival, "no failed attempt was recorded while the receiver was down");
        await Task.Delay(TimeSpan.FromSeconds(30)); // the outage itself, as the issue names it

        await _receiver.StartAsync();
        foreach (var client in clients)
        {
            await _receiver.WaitForAsync(h => h.ClientId == client && h.Type == "token.issued", TimeSpan.FromSeconds(40),
                $"token.issued of {client} after the outage");
        }
        Assert.All(_receiver.Received, h => Assert.True(Verifies(secret, h)));
        var deliveries = await DeliveriesAsync(admin, webhook);
        Assert.Equal(0, deliveries["pending"]!.GetValue<long>());
        var attempts = deliveries["attempts"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.Contains(attempts, a => a["succeeded"]!.GetValue<bool>() && a["attempt"]!.GetValue<int>() > 1);
        Assert.Contains(attempts, a => !a["succeeded"]!.GetValue<bool>() && a["status_code"] is null &&
                                       a["error"]!.GetValue<string>().Length > 0);
        Assert.All(attempts.Where(a => a["succeeded"]!.GetValue<bool>()), a =>
        {
            Assert.Equal(204, a["status_code"]!.GetValue<int>());
            Assert.True(a["latency_ms"]!.GetValue<double>() > 0);
        });
    }

    [Fact]
    public async Task An_endpoint_failing_past_the_limit_is_disabled_with_the_reason_and_enabled_again_it_gets_its_pending_deliveries()
    {
        await using var failing = new WebhookReceiver { Status = 500 };
        await failing.StartAsync();
        await using var platform = await StartPlatformAsync(failing, disableAfter: TimeSpan.FromSeconds(3));
        using var admin = platform.Api.Admin();
        await RegisterAsync(failing.Url, "*", platform.Api);
        var webhook = (await ListAsync(platform.Api)).Single()!["id"]!.GetValue<string>();
        var (client, _, _) = await platform.Api.CreateSandboxClientAsync();
        await platform.Api.ConnectAsync(client);

        JsonObject disabled = null!;
        await Eventually.HoldsAsync(async () =>
        {
            disabled = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/webhooks/{webhook}"));
            return !disabled["enabled"]!.GetValue<bool>();
        }, TimeSpan.FromSeconds(30), "the failing webhook was not disabled");
        Assert.Contains("HTTP 500", disabled["disabled_reason"]!.GetValue<string>());
        Assert.NotNull(disabled["disabled_at"]);
        var attemptsWhenDisabled = (await DeliveriesAsync(admin, webhook))["attempts"]!.AsArray().Count;
        Assert.True(attemptsWhenDisabled >= 2, $"{attemptsWhenDisabled} attempts");

        failing.Status = 204;
        var enabled = await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/webhooks/{webhook}", new { enabled = true }));
        Assert.Null(enabled["disabled_reason"]);
        await failing.WaitForAsync(h => h.ClientId == client && h.Type == "token.issued" &&
                                        failing.Received.Count > attemptsWhenDisabled, Arrival,
            "token.issued once the webhook was enabled again");
    }

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_and_after_the_overlap_only_the_new_one()
    {
        var old = await RegisterAsync(_receiver.Url, "token.issued");
        var webhook = (await ListAsync()).Single()!["id"]!.GetValue<string>();
        using var admin = Api.Admin();
        var rotated = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync($"/webhooks/{webhook}/rotate-secret", new { }));
        var current = rotated["secret"]!.GetValue<string>();
        Assert.NotEqual(old, current);
        Assert.NotNull(rotated["previous_secret_expires_at"]);

        var during = await ConnectedClientAsync();
        var signedByBoth = await _receiver.WaitForAsync(h => h.ClientId == during, Arrival, "during the overlap");
        Assert.True(Verifies(old, signedByBoth));
        Assert.True(Verifies(current, signedByBoth));

        var ended = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync($"/webhooks/{webhook}/rotate-secret", new { overlap_seconds = 0 }));
        var after = await ConnectedClientAsync();
        var signedOnce = await _receiver.WaitForAsync(h => h.ClientId == after, Arrival, "after the overlap");
        Assert.True(Verifies(ended["secret"]!.GetValue<string>(), signedOnce));
        Assert.False(Verifies(current, signedOnce));
        Assert.False(Verifies(old, signedOnce));
    }

    [Fact]
    public async Task The_python_snippet_of_the_integration_guide_verifies_a_delivery_and_refuses_a_changed_one()
    {
        var secret = await RegisterAsync(_receiver.Url, "token.issued");
        var client = await ConnectedClientAsync();
        var webhook = await _receiver.WaitForAsync(h => h.ClientId == client, Arrival, "token.issued");

        // The guide's function as it stands, over the delivery as it arrived, and over its body with a changed id.
        var guide = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "integration.md"));
        var snippet = Regex.Match(guide, "In Python.*?```python\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("def verify(", snippet);
        var (exitCode, output) = await Python.RunAsync(snippet + """

            import json, sys
            case = json.load(sys.stdin)
            headers = {"webhook-id": case["id"], "webhook-timestamp": case["timestamp"],
                       "webhook-signature": case["signature"]}
            verify(case["secret"], headers, case["body"].encode())
            try:
                verify(case["secret"], headers, case["body"].replace(str(case["client"]), "0").encode())
                print("a changed body verified")
                sys.exit(1)
            except ValueError:
                print("verified")
            """, JsonSerializer.Serialize(new
        {
            webhook.Id, webhook.Timestamp, webhook.Signature, webhook.Body, secret, client
        }, JsonSerializerOptions.Web));

        Assert.True(exitCode == 0, output);
        Assert.Equal("verified", output.Trim());
    }

    /// <summary>
    /// The Standard Webhooks verification, written here from the specification and not from the platform's code:
    /// HMAC-SHA256 keyed with the base64 after <c>whsec_</c>, over <c>id.timestamp.body</c>; any <c>v1,</c> signature
    /// of the space-separated list may match.
    /// </summary>
    private static bool Verifies(string secret, ReceivedWebhook webhook)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(
            hmac.ComputeHash(Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.{webhook.Body}"))));
        return webhook.Signature.Split(' ').Any(signature =>
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), expected));
    }

    private Task<OwnPlatform> StartPlatformAsync(WebhookReceiver receiver, TimeSpan disableAfter) =>
        fixture.StartOwnPlatformAsync(new Dictionary<string, string?>
        {
            ["Providers:TrustedOrigins:1"] = receiver.Origin,
            ["Refresh:FailuresBeforeEvent"] = "1",
            ["Webhooks:DisableAfter"] = disableAfter.ToString(),
            ["Webhooks:IdlePoll"] = "00:00:01",
            ["Webhooks:RetryDelays:0"] = "00:00:01",
            ["Webhooks:RetryDelays:1"] = "00:00:02",
            ["Webhooks:RetryDelays:2"] = "00:00:04",
            ["Webhooks:RetryDelays:3"] = "00:00:08",
            ["Webhooks:RetryDelays:4"] = "00:00:16",
            ["Webhooks:RetryDelays:5"] = "00:00:16",
            ["Webhooks:RetryDelays:6"] = "00:00:16"
        });

    private async Task<string> RegisterAsync(Uri url, string events, TokenPlatformApi? api = null)
    {
        using var admin = (api ?? Api).Admin();
        var created = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/webhooks", new { url, events = new[] { events } }), HttpStatusCode.Created);
        return created["secret"]!.GetValue<string>();
    }

    private async Task<JsonArray> ListAsync(TokenPlatformApi? api = null)
    {
        using var admin = (api ?? Api).Admin();
        return (await admin.GetFromJsonAsync<JsonArray>("/webhooks"))!;
    }

    private static async Task<JsonObject> DeliveriesAsync(HttpClient admin, string webhook) =>
        await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/webhooks/{webhook}/deliveries?limit=500"));

    private async Task<int> ConnectedClientAsync()
    {
        var (id, _, _) = await Api.CreateSandboxClientAsync();
        await Api.ConnectAsync(id);
        return id;
    }
}
