extern alias gateway;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Token.Api.Auth;
using Xunit.Abstractions;
using CallerIdentity = gateway::Token.Gateway.RateLimiting.CallerIdentity;

namespace Token.Api.Tests;

/// <summary>
/// The gateway against floods of API keys: malformed keys end at the gateway, new keys are limited per client address
/// before they cost token-api a lookup, refusals of both are held back, and callers with real keys are not starved.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class GatewayKeyFloodTests(TokenApiFixture fixture, ITestOutputHelper output)
{
    private static readonly IPAddress Flooder = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress GoodCaller = IPAddress.Parse("127.0.0.2");
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task A_flood_of_made_up_keys_from_one_address_starves_no_other_caller_and_barely_reaches_token_api()
    {
        const int FloodRequests = 5000, FloodConcurrency = 16;
        // Refusals held back a little only, so that the flood sends its 5,000 requests in a few seconds.
        await using var gateway = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:RefusalDelay"] = "00:00:00.010"
        });
        var client = await _api.CreateSandboxClientAsync();
        using var good = gateway.From(GoodCaller, await _api.CreateApiKeyAsync(["tokens:read"]));
        using var flooder = gateway.From(Flooder);
        var validate = $"/tokens/validate/{client.Id}";
        var unknownKeys = fixture.Services.GetRequiredService<UnknownApiKeys>();
        for (var warmUp = 0; warmUp < 20; warmUp++)
        {
            (await good.GetAsync(validate)).EnsureSuccessStatusCode();
        }
        var quiet = await PacedAsync(good, validate, until: Task.Delay(TimeSpan.FromSeconds(2)));
        var lookedUpBefore = unknownKeys.Count;

        var flood = FloodAsync(flooder, validate, FloodRequests, FloodConcurrency);
        var loud = await PacedAsync(good, validate, until: flood);
        var floodAnswers = await flood;

        output.WriteLine($"good caller alone:   {quiet}");
        output.WriteLine($"good caller flooded: {loud}");
        output.WriteLine("flood answers: " + string.Join(", ", floodAnswers.Select(a => $"{a.Key} × {a.Value}")));
        Assert.Equal(0, quiet.Failed);
        Assert.Equal(0, loud.Failed);
        Assert.True(loud.Succeeded >= 20, $"the flood ended before the good caller got going: {loud}");
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            floodAnswers.Keys.Order().ToArray());
        // Without the per-address limit on new keys every made-up key would be looked up.
        Assert.InRange(unknownKeys.Count - lookedUpBefore, 1, FloodRequests / 5);
    }

    [Theory]
    [InlineData("short-key")]
    [InlineData("tp_a key with spaces in it that is long enough")]
    [InlineData("tp_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public async Task A_malformed_key_gets_401_from_the_gateway_before_any_limiter_and_never_reaches_token_api(
        string malformed)
    {
        await using var gateway = GatewayHost.Start(fixture);
        using var caller = gateway.From(Flooder, malformed);
        var unknownKeys = fixture.Services.GetRequiredService<UnknownApiKeys>();
        var lookedUpBefore = unknownKeys.Count;

        // More than the per-address bucket for new keys holds (20): none of them is a 429.
        var started = Stopwatch.GetTimestamp();
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => caller.GetAsync("/tokens/validate/1")));

        // Each refusal was held back (Gateway:RateLimits:RefusalDelay, 1 s), all at once.
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode));
        var problem = await TokenPlatformApi.ReadProblemAsync(answers[0], HttpStatusCode.Unauthorized);
        Assert.Contains("not a well-formed API key", problem["detail"]!.GetValue<string>());
        Assert.Equal(lookedUpBefore, unknownKeys.Count);
    }

    [Fact]
    public async Task Made_up_keys_on_the_public_paths_cost_token_api_no_lookup()
    {
        await using var gateway = GatewayHost.Start(fixture);
        using var caller = gateway.From(Flooder);
        var unknownKeys = fixture.Services.GetRequiredService<UnknownApiKeys>();
        var lookedUpBefore = unknownKeys.Count;

        foreach (var path in new[] { "/", "/health", "/docs" })
        {
            for (var i = 0; i < 10; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("X-API-Key", "tp_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
                using var answer = await caller.SendAsync(request);
                Assert.True(answer.IsSuccessStatusCode, $"{path}: {answer.StatusCode}");
            }
        }

        Assert.Equal(lookedUpBefore, unknownKeys.Count);
    }

    [Fact]
    public async Task A_callers_first_burst_with_its_one_new_key_is_not_held_to_the_limit_on_new_keys()
    {
        await using var gateway = GatewayHost.Start(fixture);
        var client = await _api.CreateSandboxClientAsync();
        using var caller = gateway.From(IPAddress.Parse("127.0.0.3"), await _api.CreateApiKeyAsync(["tokens:read"]));

        // Five times what the per-address bucket for new keys holds: it counts keys, not requests.
        var burst = await Task.WhenAll(
            Enumerable.Range(0, 100).Select(_ => caller.GetAsync($"/tokens/validate/{client.Id}")));

        Assert.All(burst, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_client_is_the_address_it_forwarded_and_elsewhere_the_peer()
    {
        await using var gateway = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            ["Gateway:TrustedProxies:0"] = $"{GoodCaller}/32"
        });
        var client = await _api.CreateSandboxClientAsync();

        var viaProxy = await BranchCreatedFromAsync(gateway.From(GoodCaller, _api.AdminApiKey), client.Id);
        var direct = await BranchCreatedFromAsync(gateway.From(Flooder, _api.AdminApiKey), client.Id);

        Assert.Equal("198.51.100.7", viaProxy);
        Assert.Equal(Flooder.ToString(), direct);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    public void Per_address_limits_take_an_IPv6_address_by_its_64_bit_prefix(string address, string partition) =>
        Assert.Equal(partition, CallerIdentity.Partition(IPAddress.Parse(address)));

    /// <summary>Creates a branch with a spoofed X-Forwarded-For; returns the address the audit trail has.</summary>
    private async Task<string> BranchCreatedFromAsync(HttpClient admin, int clientId)
    {
        using (admin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/branches")
            {
                Content = JsonContent.Create(new { branch_id = $"fwd-{Guid.NewGuid():N}", client_id = clientId })
            };
            request.Headers.Add("X-Forwarded-For", "198.51.100.7");
            var branch = (await TokenPlatformApi.ReadJsonAsync(
                await admin.SendAsync(request), HttpStatusCode.Created))["id"];
            var entry = Assert.Single(await _api.AuditEntriesAsync($"action=branch.created&target={branch}"))!;
            return entry["client_address"]!.GetValue<string>();
        }
    }

    /// <summary>Made-up well-formed keys, as fast as <paramref name="concurrency"/> callers can send them.</summary>
    private static async Task<Dictionary<HttpStatusCode, int>> FloodAsync(
        HttpClient flooder, string path, int requests, int concurrency)
    {
        var answers = new HttpStatusCode[requests];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("X-API-Key", "tp_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
                using var answer = await flooder.SendAsync(request);
                answers[i] = answer.StatusCode;
            }
        }));
        return answers.GroupBy(status => status).ToDictionary(group => group.Key, group => group.Count());
    }

    /// <summary>One request every 10 ms (at most 3,000) until <paramref name="until"/> completes.</summary>
    private static async Task<PacedRun> PacedAsync(HttpClient caller, string path, Task until)
    {
        var latencies = new List<double>();
        var failed = 0;
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!until.IsCompleted && latencies.Count + failed < 3000 && await pace.WaitForNextTickAsync())
        {
            var started = Stopwatch.GetTimestamp();
            using var answer = await caller.GetAsync(path);
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                failed++;
            }
        }
        return new PacedRun(latencies, failed);
    }

    private sealed record PacedRun(List<double> Latencies, int Failed)
    {
        public int Succeeded => Latencies.Count;

        public override string ToString()
        {
            var sorted = Latencies.Order().ToList();
            var p99 = sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))];
            return $"{Succeeded} ok, {Failed} failed, p99 {p99:F1} ms";
        }
    }
}
