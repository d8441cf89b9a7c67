using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace TokenPlatform.EndToEnd.Tests;

[Collection(GatewayCollection.Name)]
public sealed partial class GatewayTests(GatewayFixture platform)
{
    private const string Spoofed = "203.0.113.77";
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(30);
    private readonly TokenPlatformApi _api = platform.App.Api();

    [Fact]
    public async Task A_burst_over_a_keys_limit_gets_429_with_Retry_After_while_another_key_goes_on_and_the_limit_recovers()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var noisy = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"]));
        using var quiet = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"]));
        var validate = $"/tokens/validate/{client.Id}";

        var burst = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => noisy.GetAsync(validate)));

        Assert.All(burst, answer =>
            Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var refused = burst.Where(answer => answer.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        var retryAfter = refused[0].Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        await TokenPlatformApi.ReadProblemAsync(refused[0], HttpStatusCode.TooManyRequests);

        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync(validate)).StatusCode);

        // A caller that honours Retry-After is served again.
        await Task.Delay(retryAfter.Value);
        Assert.Equal(HttpStatusCode.OK, (await noisy.GetAsync(validate)).StatusCode);
    }

    [Fact]
    public async Task A_burst_with_a_key_token_api_has_not_seen_looks_it_up_in_the_database_once()
    {
        const string KeyLookup = "FROM api_keys AS a";
        var client = await _api.CreateSandboxClientAsync();
        using var fresh = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"]));
        await ExportedByTokenApiAsync();
        var before = platform.Telemetry.Count(KeyLookup);

        // Within the key's rate limit, all at once: each request misses token-api's key cache.
        var burst = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(_ => fresh.GetAsync($"/tokens/validate/{client.Id}")));
        Assert.All(burst, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));

        await ExportedByTokenApiAsync();
        Assert.Equal(1, platform.Telemetry.Count(KeyLookup) - before);
    }

    [Fact]
    public async Task Under_load_a_service_keeps_no_more_new_traces_per_second_than_its_cap_and_traces_again_the_next_second()
    {
        using var direct = platform.App.CreateHttpClient("token-api");
        direct.DefaultRequestHeaders.Add("X-API-Key", Platform.AdminApiKey);
        var path = $"/clients/{Random.Shared.Next(100_000_000, int.MaxValue)}";
        const int Requests = 400;

        var elapsed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (_, ct) => Assert.Equal(HttpStatusCode.NotFound, (await direct.GetAsync(path, ct)).StatusCode));
        // Every one of these requests starts a trace (none has a parent), each in one of the seconds the burst touched.
        var seconds = (int)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 1;
        Assert.True(seconds * TelemetryCapture.MaxTracesPerSecond < Requests,
            $"the burst took {elapsed.Elapsed}: too slow to show the cap");

        // The cap counts whole seconds, so after one has passed a new request is kept again; that it arrives also
        // means every span of the burst has (they are exported in the order they end).
        await Task.Delay(TimeSpan.FromSeconds(1));
        await ExportedByTokenApiAsync();
        Assert.InRange(platform.Telemetry.Count(path), 1, seconds * TelemetryCapture.MaxTracesPerSecond);
    }

    [Fact]
    public async Task A_request_that_token_api_does_not_answer_in_time_gets_504_problem_details_and_the_gateway_goes_on()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        // The provider takes longer than the gateway's timeout, so a forced refresh keeps token-api busy past it.
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "slow", delay_ms = 60_000, grant_type = "refresh_token" }
        });
        try
        {
            var elapsed = Stopwatch.StartNew();
            var answer = await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id });

            var problem = await TokenPlatformApi.ReadProblemAsync(answer, HttpStatusCode.GatewayTimeout);
            Assert.InRange(elapsed.Elapsed, GatewayFixture.RequestTimeout,
                GatewayFixture.RequestTimeout + TimeSpan.FromSeconds(10));
            Assert.DoesNotContain("access_token", problem.ToJsonString());
        }
        finally
        {
            await _api.SetSandboxSwitchesAsync(new { token_failure = new { mode = "none" } });
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/clients/{client.Id}")).StatusCode);
    }

    /// <summary>
    /// Waits until token-api has exported every span that ended so far: it exports them in the order they ended, so
    /// once a new request's span is here, the earlier ones are too. The request goes to token-api directly, so the
    /// gateway's span of it cannot be taken for token-api's.
    /// </summary>
    private async Task ExportedByTokenApiAsync()
    {
        using var direct = platform.App.CreateHttpClient("token-api");
        direct.DefaultRequestHeaders.Add("X-API-Key", Platform.AdminApiKey);
        var marker = $"/clients/{Random.Shared.Next(100_000_000, int.MaxValue)}";
        Assert.Equal(HttpStatusCode.NotFound, (await direct.GetAsync(marker)).StatusCode);
        await WaitForTelemetryAsync(marker);
    }

    [Fact]
    public async Task The_consent_endpoints_are_limited_per_client_address()
    {
        using var browser = TokenPlatformApi.Browser();
        var callback = _api.Reachable("http://localhost:8002/auth/callback?error=access_denied&state=unknown");

        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => browser.GetAsync(callback)));

        var refused = burst.Where(answer => answer.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.Contains(burst, answer => answer.StatusCode == HttpStatusCode.BadRequest);
        // The API's callers are limited by their keys, not by this address.
        using var admin = _api.Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/clients")).StatusCode);

        await Task.Delay(refused[0].Headers.RetryAfter!.Delta!.Value);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(callback)).StatusCode);
    }

    [Fact]
    public async Task Spoofed_forwarding_headers_do_not_change_what_token_api_sees()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var browser = TokenPlatformApi.Browser();
        // The login page's button: the request that spends the ticket and logs who did.
        using var login = await TokenPlatformApi.LoginButtonAsync(browser, await _api.StartConsentAsync(client.Id));
        login.Headers.TryAddWithoutValidation("X-Forwarded-For", Spoofed);
        login.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        login.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        login.Headers.TryAddWithoutValidation("Forwarded", $"for={Spoofed};host=evil.example;proto=https");
        login.Headers.TryAddWithoutValidation("X-Real-IP", Spoofed);

        var toProvider = await browser.SendAsync(login);

        Assert.Equal(HttpStatusCode.SeeOther, toProvider.StatusCode);
        Assert.DoesNotContain("evil.example", toProvider.Headers.Location!.ToString());
        var opened = await WaitForLogLineAsync("token-api", $"Login link of client {client.Id} opened from");
        Assert.Matches(LoopbackAtEnd(), opened);
        Assert.DoesNotContain(Spoofed, opened);
        await WaitForTelemetryAsync($"POST /oauth/login/{client.Id} answered 303");
        Assert.False(platform.Telemetry.Contains(Spoofed), "the spoofed address reached the telemetry");
    }

    [Fact]
    public async Task An_oversize_body_gets_413_problem_details_and_nothing_is_written()
    {
        using var admin = _api.Admin();
        var before = (await admin.GetFromJsonAsync<List<object>>("/clients"))!.Count;
        var tooLong = new string('x', 70 * 1024);
        var client = new
        {
            client_id = "oversize", client_secret = tooLong, redirect_uri = "http://localhost:8002/auth/callback"
        };

        // One declares its length, the other streams chunks: both are stopped at the gateway.
        using var declared = new StringContent(System.Text.Json.JsonSerializer.Serialize(client),
            System.Text.Encoding.UTF8, "application/json");
        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsync("/clients", declared),
            HttpStatusCode.RequestEntityTooLarge);
        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsync("/clients", JsonContent.Create(client)),
            HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(before, (await admin.GetFromJsonAsync<List<object>>("/clients"))!.Count);
    }

    [Fact]
    public async Task A_callbacks_code_and_state_appear_in_no_log_line_or_span()
    {
        var client = await _api.CreateSandboxClientAsync();
        var (callbackUrl, answer) = await _api.ConnectAsync(client.Id);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var query = new Uri(callbackUrl).Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair[1]));
        var secrets = new[] { query["code"], query["state"] };

        // What must be there arrives first: the callback's log line, and its spans with the parameter names only.
        var connected = $"Client {client.Id} is connected";
        await WaitForTelemetryAsync(connected);
        await WaitForTelemetryAsync("code=Redacted&state=Redacted");
        await WaitForTelemetryAsync("GET /auth/callback answered 200");
        await WaitForLogLineAsync("token-api", connected);

        foreach (var secret in secrets)
        {
            Assert.False(platform.Telemetry.Contains(secret), "a code or state value was exported as telemetry");
            foreach (var service in Platform.Services)
            {
                Assert.DoesNotContain(platform.App.LogLines(service),
                    line => line.Contains(secret, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task The_access_log_has_every_refused_request_and_the_good_ones_whose_trace_is_sampled()
    {
        var unsampled = await _api.CreateSandboxClientAsync();
        var sampled = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();
        using var anonymous = _api.Caller();

        Assert.Equal(HttpStatusCode.OK,
            (await admin.SendAsync(Traced($"/clients/{unsampled.Id}", sampled: false))).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await admin.SendAsync(Traced($"/clients/{sampled.Id}", sampled: true))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.SendAsync(Traced($"/clients/{unsampled.Id}", sampled: false))).StatusCode);

        await WaitForTelemetryAsync($"GET /clients/{sampled.Id} answered 200");
        await WaitForTelemetryAsync($"GET /clients/{unsampled.Id} answered 401");
        // The gateway exports its log records in order, so a line for the first request would have arrived by now.
        Assert.False(platform.Telemetry.Contains($"GET /clients/{unsampled.Id} answered 200"),
            "a good request whose trace was not sampled was access-logged");
    }

    /// <summary>
    /// A request that carries a W3C trace context whose sampled flag the gateway's parent-based sampler follows.
    /// </summary>
    private static HttpRequestMessage Traced(string path, bool sampled)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{System.Diagnostics.ActivityTraceId.CreateRandom()}-" +
            $"{System.Diagnostics.ActivitySpanId.CreateRandom()}-{(sampled ? "01" : "00")}");
        return request;
    }

    [Fact]
    public async Task Only_the_public_paths_of_token_api_are_reachable_through_the_gateway()
    {
        using var anonymous = _api.Caller();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        // token-api's liveness probe is for the orchestrator, not for the world.
        await TokenPlatformApi.ReadProblemAsync(await anonymous.GetAsync("/alive"), HttpStatusCode.NotFound);
        await TokenPlatformApi.ReadProblemAsync(await anonymous.GetAsync("/no-such-path"), HttpStatusCode.NotFound);
    }

    [Fact]
    public void Token_api_listens_on_loopback_only()
    {
        var port = platform.App.GetEndpoint("token-api", "http").Port;

        var listeners = ListeningAddresses(port);

        Assert.NotEmpty(listeners);
        Assert.All(listeners, address =>
            Assert.True(System.Net.IPAddress.IsLoopback(address), $"token-api listens on {address}:{port}"));
    }

    [Fact]
    public async Task The_gateway_marks_every_answer_of_the_routes_that_can_carry_secrets_no_store()
    {
        using var admin = _api.Admin();

        // token-api marks none of these: a key list and the audit trail carry no secret, and an error no token.
        foreach (var (path, status) in new[]
        {
            ("/api-keys", HttpStatusCode.OK), ("/admin/audit?limit=1", HttpStatusCode.OK),
            ("/tokens/validate/999999", HttpStatusCode.NotFound)
        })
        {
            using var response = await admin.GetAsync(path);
            Assert.Equal(status, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path} answered without no-store");
        }
    }

    [Fact]
    public async Task Health_says_so_when_token_api_is_unreachable()
    {
        using var anonymous = _api.Caller();
        using var cts = new CancellationTokenSource(Platform.StartTimeout);
        await platform.App.ResourceCommands.ExecuteCommandAsync("token-api", KnownResourceCommands.StopCommand,
            cts.Token);
        try
        {
            HttpResponseMessage? health = null;
            await Eventually.HoldsAsync(async () =>
                    (health = await anonymous.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable,
                TelemetryTimeout, "/health did not report token-api stopped");
            var body = await TokenPlatformApi.ReadJsonAsync(health!, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", body["status"]!.GetValue<string>());
            Assert.Equal("unreachable", body["token_api"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/gateway/health")).StatusCode);
        }
        finally
        {
            await platform.App.ResourceCommands.ExecuteCommandAsync("token-api", KnownResourceCommands.StartCommand,
                cts.Token);
            await platform.App.ResourceNotifications.WaitForResourceHealthyAsync("token-api", cts.Token);
        }
    }

    private async Task<string> WaitForLogLineAsync(string resource, string text)
    {
        string? found = null;
        await Eventually.HoldsAsync(() => Task.FromResult((found = platform.App.LogLines(resource)
                .FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal))) is not null),
            TelemetryTimeout, $"{resource} logged no line with '{text}'");
        return found!;
    }

    /// <summary>The local addresses of the sockets listening on a TCP port, from the kernel's tables.</summary>
    private static List<System.Net.IPAddress> ListeningAddresses(int port)
    {
        const string Listen = "0A";
        return [.. new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields[3] == Listen && Convert.ToInt32(fields[1].Split(':')[1], 16) == port)
            .Select(fields => new System.Net.IPAddress(Convert.FromHexString(fields[1].Split(':')[0]).Chunk(4)
                .SelectMany(word => word.Reverse()).ToArray()))];
    }

    private Task WaitForTelemetryAsync(string text) =>
        Eventually.HoldsAsync(() => Task.FromResult(platform.Telemetry.Contains(text)), TelemetryTimeout,
            $"no exported log line or span with '{text}'");

    [GeneratedRegex(@"opened from (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)\s*$")]
    private static partial Regex LoopbackAtEnd();

}
