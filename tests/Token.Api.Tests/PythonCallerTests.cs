using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using TokenPlatform.Hosting.Local;

namespace Token.Api.Tests;

/// <summary>
/// The legacy service's callers parse our JSON in Python: every datetime of every answer, token-api's or the gateway's
/// own, success or refusal, is one that <c>datetime.fromisoformat</c> reads from Python 3.7 on, with its offset, and
/// every problem details answer carries the <c>detail</c> that FastAPI's callers read.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed partial class PythonCallerTests(TokenApiFixture fixture)
{
    private const string ProblemJson = "application/problem+json";
    private const string Destination = "ReverseProxy:Clusters:token-api:Destinations:token-api:Address";

    private readonly List<Answer> _answers = [];

    [Fact]
    public async Task Every_datetime_reads_in_Python_3_7_and_every_problem_has_a_detail()
    {
        await using (var gateway = GatewayHost.Start(fixture))
        {
            var api = fixture.Through(gateway);
            await KeepSuccessesAsync(api);
            await KeepRefusalsAsync(api);
        }
        await KeepGatewayFailuresAsync();

        var datetimes = _answers
            .SelectMany(answer => Strings(answer.Body)
                .Where(value => LooksLikeDatetime().IsMatch(value))
                .Select(value => (answer.Name, Value: value)))
            .ToList();
        var misshapen = datetimes.Where(datetime => !PythonDatetime().IsMatch(datetime.Value)).ToList();
        var problems = _answers.Where(answer => answer.MediaType == ProblemJson).ToList();
        var python = await PythonReadsAsync();

        Assert.Multiple(
            () => Assert.Empty(misshapen),
            // The legacy health shape answers 503 as well, as JSON of its own.
            () => Assert.Empty(_answers
                .Where(answer => answer.Status >= 400 && answer.MediaType != ProblemJson
                    && !answer.Name.Contains("/health"))
                .Select(answer => answer.Name)),
            () => Assert.Empty(problems.Where(problem => !HasDetail(problem.Body)).Select(problem => problem.Name)),
            () => Assert.True(python.ExitCode == 0, $"python3 found faults:\n{python.Output}"),
            () => Assert.Equal($"read {datetimes.Count} datetimes and {problems.Count} details",
                python.Output.Split('\n')[0]));
        Assert.True(datetimes.Count > 0 && problems.Count > 0, python.Output);
    }

    [Fact]
    public void Datetimes_are_cut_to_the_microsecond_with_their_offset_and_read_as_before()
    {
        var options = new JsonSerializerOptions { Converters = { new PythonIsoDateTimeConverter() } };
        var lastTick = new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999);

        Assert.Equal("\"2026-11-30T23:59:59.999999+00:00\"", JsonSerializer.Serialize(lastTick, options));
        Assert.Equal("\"2026-11-30T10:00:00.000000-05:30\"", JsonSerializer.Serialize(
            new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromMinutes(-330)), options));
        Assert.Equal("{\"at\":null,\"then\":\"2026-11-30T23:59:59.999999+00:00\"}", JsonSerializer.Serialize(
            new { at = (DateTimeOffset?)null, then = (DateTimeOffset?)lastTick }, options));
        Assert.Equal(lastTick, JsonSerializer.Deserialize<DateTimeOffset>("\"2026-11-30T23:59:59.9999999Z\"", options));
    }

    /// <summary>An answer of every endpoint that answers JSON, on its way to success.</summary>
    private async Task KeepSuccessesAsync(TokenPlatformApi api)
    {
        using var anonymous = api.Caller();
        using var admin = api.Admin();
        await KeepAsync(anonymous.GetAsync("/"));
        await KeepAsync(anonymous.GetAsync("/health"));
        await KeepAsync(anonymous.GetAsync("/gateway/health"));

        var client = (await KeepAsync(admin.PostAsJsonAsync("/clients", new
        {
            client_id = "python-" + Guid.NewGuid().ToString("N")[..12], client_secret = "s3cret-value",
            redirect_uri = "https://example.com/auth/callback"
        }), HttpStatusCode.Created))["id"]!.GetValue<int>();
        await KeepAsync(admin.GetAsync("/clients"));
        await KeepAsync(admin.GetAsync($"/clients/{client}"));
        await KeepAsync(admin.PatchAsJsonAsync($"/clients/{client}", new { redirect_uri = "https://example.com/cb" }));

        var branchId = "python-" + Guid.NewGuid().ToString("N")[..12];
        var branch = (await KeepAsync(
            admin.PostAsJsonAsync("/branches", new { branch_id = branchId, client_id = client }),
            HttpStatusCode.Created))["id"]!.GetValue<int>();
        await KeepAsync(admin.GetAsync($"/branches?client_id={client}"));
        await KeepAsync(admin.GetAsync($"/branches/{branch}"));
        await KeepAsync(admin.GetAsync($"/branches/by-branch-id/{branchId}"));
        await KeepAsync(admin.PatchAsJsonAsync($"/branches/{branch}", new { branch_name = "High street" }));
        await KeepAsync(admin.GetAsync("/providers"));
        await KeepAsync(admin.GetAsync("/providers/sandbox"));

        var connected = await api.CreateSandboxClientAsync();
        await KeepAsync(admin.PostAsJsonAsync("/api-keys", new
        {
            name = "python", scopes = new[] { "tokens:read" }, client_ids = new[] { connected.Id }
        }), HttpStatusCode.Created);
        await KeepAsync(admin.GetAsync("/api-keys"));
        // No grant yet: expires_at is null.
        await KeepAsync(admin.GetAsync($"/tokens/validate/{connected.Id}"));
        await KeepAsync(admin.GetAsync($"/oauth/start/{connected.Id}"));
        await KeepAsync(Task.FromResult((await api.ConnectAsync(connected.Id)).Answer));
        await KeepAsync(admin.GetAsync($"/tokens/validate/{connected.Id}"));
        await KeepAsync(admin.PostAsJsonAsync("/tokens/refresh", new { client_id = connected.Id }));
        await KeepAsync(admin.GetAsync($"/tokens/client/{connected.Id}"));
        await KeepAsync(admin.DeleteAsync($"/tokens/{connected.Id}"));
        await KeepAsync(admin.GetAsync("/admin/audit?limit=50"));
        await KeepAsync(admin.PostAsync("/admin/encryption/rotate", null));
    }

    /// <summary>token-api's refusals and the gateway's own, through the gateway.</summary>
    private async Task KeepRefusalsAsync(TokenPlatformApi api)
    {
        var client = await api.CreateSandboxClientAsync();
        var other = await api.CreateSandboxClientAsync();
        using var admin = api.Admin();
        using var anonymous = api.Caller();
        using var unknown = api.Caller("tp_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
        using var malformed = api.Caller("short-key");
        using var reader = api.Caller(await api.CreateApiKeyAsync(["tokens:read"], [client.Id]));
        using var browser = TokenPlatformApi.Browser();

        await KeepAsync(admin.PostAsync("/clients", TokenPlatformApi.Json(
            "{\"client_id\": \"\", \"client_secret\": \"y\", \"redirect_uri\": \"not a url\"}")),
            HttpStatusCode.BadRequest);
        await KeepAsync(admin.PostAsync("/clients", TokenPlatformApi.Json("{\"client_id\": \"x\", ")),
            HttpStatusCode.BadRequest);
        await KeepAsync(admin.GetAsync("/tokens/validate/not-a-number"), HttpStatusCode.BadRequest);
        await KeepAsync(admin.GetAsync("/admin/audit?limit=0"), HttpStatusCode.BadRequest);
        await KeepAsync(browser.SendAsync(TokenPlatformApi.JsonGet(api.Link("/auth/callback?state=unknown"))),
            HttpStatusCode.BadRequest);
        await KeepAsync(browser.SendAsync(TokenPlatformApi.JsonGet(api.Link($"/oauth/login/{client.Id}"))),
            HttpStatusCode.BadRequest);
        await KeepAsync(anonymous.GetAsync("/clients"), HttpStatusCode.Unauthorized);
        await KeepAsync(unknown.GetAsync("/clients"), HttpStatusCode.Unauthorized);
        await KeepAsync(malformed.GetAsync("/clients"), HttpStatusCode.Unauthorized);
        await KeepAsync(reader.GetAsync("/clients"), HttpStatusCode.Forbidden);
        await KeepAsync(reader.GetAsync($"/tokens/validate/{other.Id}"), HttpStatusCode.Forbidden);
        // No route of the gateway; a path the gateway forwards but token-api has no endpoint for; no such client.
        await KeepAsync(admin.GetAsync("/nowhere"), HttpStatusCode.NotFound);
        await KeepAsync(admin.GetAsync($"/clients/{client.Id}/nowhere"), HttpStatusCode.NotFound);
        await KeepAsync(admin.GetAsync("/clients/999999999"), HttpStatusCode.NotFound);
        await KeepAsync(admin.PutAsJsonAsync($"/clients/{client.Id}", new { }), HttpStatusCode.MethodNotAllowed);
        await KeepAsync(admin.PostAsJsonAsync("/clients", new
        {
            client_id = client.ClientId, client_secret = "x", redirect_uri = "https://a.test/cb"
        }), HttpStatusCode.Conflict);
        await KeepAsync(admin.PostAsync("/clients", TokenPlatformApi.Json(
            $"{{\"client_id\": \"huge\", \"client_secret\": \"{new string('x', 200_000)}\"}}")),
            HttpStatusCode.RequestEntityTooLarge);
        await KeepAsync(admin.PostAsync("/clients", new StringContent("client_id=x", Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType);
    }

    /// <summary>
    /// The gateway's answers when token-api is down (502; 503 in the legacy health shape on <c>/health</c>), when a
    /// caller is over a limit (429) and when token-api does not answer in time (504).
    /// </summary>
    private async Task KeepGatewayFailuresAsync()
    {
        await using (var down = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            [Destination] = $"http://127.0.0.1:{MachineProbe.FreeTcpPort()}",
            ["Gateway:RateLimits:PerAddressPublic:TokenLimit"] = "1",
            ["Gateway:RateLimits:PerAddressPublic:TokensPerPeriod"] = "1",
            ["Gateway:RateLimits:PerAddressPublic:ReplenishmentPeriod"] = "01:00:00"
        }))
        {
            using var caller = down.From(IPAddress.Loopback, TokenApiFixture.AdminApiKey);
            await KeepAsync(caller.GetAsync("/health"), HttpStatusCode.ServiceUnavailable);
            await KeepAsync(caller.GetAsync("/"), HttpStatusCode.TooManyRequests);
            await KeepAsync(caller.GetAsync("/clients"), HttpStatusCode.BadGateway);
        }

        // Takes connections (into its backlog) and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        await using var slow = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            [Destination] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}",
            ["Gateway:RequestTimeout"] = "00:00:01"
        });
        using var waiting = slow.From(IPAddress.Loopback, TokenApiFixture.AdminApiKey);
        await KeepAsync(waiting.GetAsync("/clients"), HttpStatusCode.GatewayTimeout);
    }

    /// <summary>Keeps the answer, which must have this status and a JSON body; returns the body.</summary>
    private async Task<JsonNode> KeepAsync(
        Task<HttpResponseMessage> sending, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var answer = await sending;
        var text = await answer.Content.ReadAsStringAsync();
        var name = $"{answer.RequestMessage!.Method} {answer.RequestMessage.RequestUri!.AbsolutePath} → " +
            (int)answer.StatusCode;
        Assert.True(answer.StatusCode == expected, $"{name}, not {(int)expected}: {text}");
        Assert.True(text.Length > 0, $"{name} has no body");
        var body = JsonNode.Parse(text)!;
        _answers.Add(new Answer(name, (int)answer.StatusCode, answer.Content.Headers.ContentType?.MediaType, body));
        return body;
    }

    /// <summary>
    /// Runs python3 over every answer kept: it reads each datetime with <c>datetime.fromisoformat</c> and checks it
    /// against the form Python 3.7 to 3.10 read (the machine's Python may read more), and each problem's
    /// <c>detail</c>. Its first line of output counts what it read; then come the faults, if any.
    /// </summary>
    private async Task<(int ExitCode, string Output)> PythonReadsAsync()
    {
        const string Script = """
            import json, re, sys
            from datetime import datetime

            LOOKS = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
            # Python 3.7 to 3.10: YYYY-MM-DD, any one separator, HH:MM[:SS[.fff|.ffffff]], then (required here) the
            # offset +HH:MM[:SS[.ffffff]]. No "Z", no other number of fractional digits.
            PY37 = re.compile(r"\d{4}-\d{2}-\d{2}.\d{2}:\d{2}(:\d{2}(\.\d{3}|\.\d{6})?)?"
                              r"[+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?")

            def strings(node):
                if isinstance(node, str):
                    yield node
                elif isinstance(node, (dict, list)):
                    for value in node.values() if isinstance(node, dict) else node:
                        yield from strings(value)

            faults, datetimes, details = [], 0, 0
            for answer in json.load(sys.stdin):
                for value in filter(LOOKS.match, strings(answer["body"])):
                    try:
                        datetime.fromisoformat(value)
                    except ValueError as error:
                        faults.append(f"{answer['name']}: {error}")
                        continue
                    if not PY37.fullmatch(value):
                        faults.append(f"{answer['name']}: {value!r} is not of Python 3.7's form with an offset")
                        continue
                    datetimes += 1
                if answer["media_type"] == "application/problem+json":
                    detail = answer["body"].get("detail")
                    if not isinstance(detail, str) or not detail.strip():
                        faults.append(f"{answer['name']}: a problem without detail")
                        continue
                    details += 1
            print(f"read {datetimes} datetimes and {details} details")
            for fault in faults:
                print(fault)
            sys.exit(1 if faults else 0)
            """;
        return await Python.RunAsync(Script, JsonSerializer.Serialize(_answers.Select(answer =>
            new { name = answer.Name, media_type = answer.MediaType, body = answer.Body })));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject members => members.SelectMany(member => Strings(member.Value)),
        JsonArray items => items.SelectMany(Strings),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => []
    };

    private static bool HasDetail(JsonNode problem) =>
        problem["detail"] is JsonValue detail && detail.GetValueKind() == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(detail.GetValue<string>());

    /// <summary>A date, a separator, hours and minutes: what a caller takes for a datetime.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")]
    private static partial Regex LooksLikeDatetime();

    /// <summary>
    /// What Python 3.7's <c>datetime.fromisoformat</c> reads, with the explicit offset callers rely on: 3 or 6
    /// fractional digits or none, no <c>Z</c>.
    /// </summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?[+-]\d{2}:\d{2}\z")]
    private static partial Regex PythonDatetime();

    /// <param name="Name">Method, path and status, e.g. <c>GET /clients → 200</c>.</param>
    private sealed record Answer(string Name, int Status, string? MediaType, JsonNode Body);
}
