using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>
/// Where a test finds the platform: token-api (directly or through the gateway), the sandbox, the database.
/// </summary>
/// <param name="Api">A client of token-api's HTTP API (the gateway's, end to end) with this API key, or none.</param>
/// <param name="Sandbox">A client of the sandbox provider.</param>
/// <param name="ConnectionString">The database's connection string.</param>
/// <param name="Reachable">Turns a link token-api made (from its public URL) into one the test can open.</param>
public sealed record PlatformEndpoints(
    Func<string?, HttpClient> Api,
    Func<HttpClient> Sandbox,
    Func<Task<string>> ConnectionString,
    Func<string, string> Reachable,
    string AdminApiKey,
    string CallbackUrl);

/// <summary>
/// What a test does with a running token-api: clients, keys, the business owner's consent, the database.
/// </summary>
public sealed class TokenPlatformApi(PlatformEndpoints endpoints)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public string AdminApiKey => endpoints.AdminApiKey;

    public HttpClient Caller(string? apiKey = null)
    {
        var client = endpoints.Api(apiKey);
        client.Timeout = RequestTimeout;
        return client;
    }

    public HttpClient Admin() => Caller(endpoints.AdminApiKey);

    /// <summary>A browser: follows no redirects, so each hop can be checked.</summary>
    public static HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = RequestTimeout };

    public HttpClient Sandbox()
    {
        var client = endpoints.Sandbox();
        client.Timeout = RequestTimeout;
        return client;
    }

    public string Reachable(string url) => endpoints.Reachable(url);

    /// <summary>A link to token-api as its public URL makes them, made reachable.</summary>
    public string Link(string pathAndQuery) =>
        Reachable(new Uri(new Uri(endpoints.CallbackUrl), pathAndQuery).ToString());

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await endpoints.ConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> CountAsync(string tableAndFilter)
    {
        await using var db = await OpenDatabaseAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {tableAndFilter}", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A client registered both at the sandbox provider and here, with <paramref name="provider"/> (one whose
    /// endpoints are the sandbox's); returns its id here.
    /// </summary>
    public async Task<(int Id, string ClientId, string Secret)> CreateSandboxClientAsync(string provider = "sandbox")
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..12];
        var secret = "secret-" + Guid.NewGuid().ToString("N");

        using var sandbox = Sandbox();
        (await sandbox.PostAsJsonAsync("/sandbox/clients", new
        {
            client_id = clientId, client_secret = secret, redirect_uris = new[] { endpoints.CallbackUrl }
        })).EnsureSuccessStatusCode();

        using var admin = Admin();
        var created = await ReadJsonAsync(await admin.PostAsJsonAsync("/clients", new
        {
            client_id = clientId, client_secret = secret, redirect_uri = endpoints.CallbackUrl, provider
        }), HttpStatusCode.Created);
        return (created["id"]!.GetValue<int>(), clientId, secret);
    }

    /// <summary>A new API key (its secret) with these scopes, limited to these clients when given (else all).</summary>
    public async Task<string> CreateApiKeyAsync(string[] scopes, int[]? clientIds = null)
    {
        using var admin = Admin();
        var created = await ReadJsonAsync(
            await admin.PostAsJsonAsync("/api-keys", new
            {
                name = "test", scopes, client_ids = clientIds,
                all_clients = clientIds is null && !scopes.Contains("admin")
            }),
            HttpStatusCode.Created);
        return created["api_key"]!.GetValue<string>();
    }

    /// <summary>The audit trail's entries as <c>GET /admin/audit</c> answers them, newest first.</summary>
    public async Task<JsonArray> AuditEntriesAsync(string query)
    {
        using var admin = Admin();
        var page = await ReadJsonAsync(await admin.GetAsync($"/admin/audit?{query}"));
        return page["entries"]!.AsArray();
    }

    public async Task SetSandboxSwitchesAsync(object switches)
    {
        using var sandbox = Sandbox();
        (await sandbox.PutAsJsonAsync("/sandbox/switches", switches)).EnsureSuccessStatusCode();
    }

    /// <summary>Every switch of the sandbox at its default, as each test expects to find it.</summary>
    public Task ResetSandboxAsync() => SetSandboxSwitchesAsync(new
    {
        auto_approve = true, access_token_lifetime_seconds = 3600, rotate_refresh_tokens = true,
        token_failure = new { mode = "none" }
    });

    public async Task<JsonArray> SandboxTokenRequestsAsync()
    {
        using var sandbox = Sandbox();
        return (await sandbox.GetFromJsonAsync<JsonArray>("/sandbox/requests"))!;
    }

    public async Task ClearSandboxRequestsAsync()
    {
        using var sandbox = Sandbox();
        (await sandbox.DeleteAsync("/sandbox/requests")).EnsureSuccessStatusCode();
    }

    /// <summary>How often the sandbox was asked to refresh a grant of this client.</summary>
    public async Task<int> RefreshAttemptsAsync(string clientId) =>
        (await SandboxTokenRequestsAsync()).Count(r =>
            r!["client_id"]?.GetValue<string>() == clientId && r["grant_type"]?.GetValue<string>() == "refresh_token");

    /// <summary>
    /// The business owner's walk: /oauth/start → login link → the provider's consent (approved automatically) →
    /// back to /auth/callback. Returns the callback URL and the callback's answer.
    /// </summary>
    public async Task<(string CallbackUrl, HttpResponseMessage Answer)> ConnectAsync(int clientId)
    {
        await SetSandboxSwitchesAsync(new { auto_approve = true });
        using var admin = Admin();
        var start = await ReadJsonAsync(await admin.GetAsync($"/oauth/start/{clientId}"));

        using var browser = Browser();
        var toProvider = await browser.GetAsync(Reachable(start["login_url"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        var back = await browser.GetAsync(toProvider.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);

        var callbackUrl = Reachable(back.Headers.Location!.ToString());
        return (callbackUrl, await browser.SendAsync(JsonGet(callbackUrl)));
    }

    /// <summary>A browser's GET that asks for JSON, as the tests read the browser endpoints' answers.</summary>
    public static HttpRequestMessage JsonGet(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await ReadJsonAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        return problem;
    }

    public static StringContent Json(string raw) => new(raw, System.Text.Encoding.UTF8, "application/json");
}
