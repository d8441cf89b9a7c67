using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>What a test needs to talk to a running platform: the gateway (as callers do), the sandbox provider, the database.</summary>
public sealed class PlatformApi(DistributedApplication app)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public HttpClient Gateway(string? apiKey = null)
    {
        var client = app.CreateHttpClient("token-gateway");
        client.Timeout = RequestTimeout;
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }
        return client;
    }

    public HttpClient Admin() => Gateway(Platform.AdminApiKey);

    /// <summary>A browser: follows no redirects, so each hop can be checked.</summary>
    public static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = RequestTimeout };

    public HttpClient Sandbox()
    {
        var client = app.CreateHttpClient("sandbox");
        client.Timeout = RequestTimeout;
        return client;
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("tokendb"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A client registered both at the sandbox provider and here; returns its id here.</summary>
    public async Task<(int Id, string ClientId, string Secret)> CreateSandboxClientAsync()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..12];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var redirectUri = "http://localhost:8002/auth/callback";

        using var sandbox = Sandbox();
        (await sandbox.PostAsJsonAsync("/sandbox/clients", new { client_id = clientId, client_secret = secret, redirect_uris = new[] { redirectUri } })).EnsureSuccessStatusCode();

        using var admin = Admin();
        var created = await ReadJsonAsync(await admin.PostAsJsonAsync("/clients", new { client_id = clientId, client_secret = secret, redirect_uri = redirectUri, provider = "sandbox" }), HttpStatusCode.Created);
        return (created["id"]!.GetValue<int>(), clientId, secret);
    }

    /// <summary>A new API key (its secret) with these scopes, limited to these clients when given.</summary>
    public async Task<string> CreateApiKeyAsync(string[] scopes, int[]? clientIds = null)
    {
        using var admin = Admin();
        var created = await ReadJsonAsync(await admin.PostAsJsonAsync("/api-keys", new { name = "test", scopes, client_ids = clientIds }), HttpStatusCode.Created);
        return created["api_key"]!.GetValue<string>();
    }

    /// <summary>Every console line the resource has written so far.</summary>
    public IReadOnlyList<string> LogLines(string resource) => app.Services.GetRequiredService<ResourceLogs>().Of(resource);

    public async Task SetSandboxSwitchesAsync(object switches)
    {
        using var sandbox = Sandbox();
        (await sandbox.PutAsJsonAsync("/sandbox/switches", switches)).EnsureSuccessStatusCode();
    }

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

    /// <summary>
    /// The business owner's walk: /oauth/start → login link → the provider's consent (approved automatically) →
    /// back to /auth/callback, through the gateway. Returns the callback URL and the callback's answer.
    /// </summary>
    public async Task<(string CallbackUrl, HttpResponseMessage Answer)> ConnectAsync(int clientId)
    {
        await SetSandboxSwitchesAsync(new { auto_approve = true });
        using var admin = Admin();
        var start = await ReadJsonAsync(await admin.GetAsync($"/oauth/start/{clientId}"));

        using var browser = Browser();
        var toProvider = await browser.GetAsync(GatewayUrl(start["login_url"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        var back = await browser.GetAsync(toProvider.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);

        var callbackUrl = GatewayUrl(back.Headers.Location!.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, callbackUrl);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return (callbackUrl, await browser.SendAsync(request));
    }

    /// <summary>Links name the gateway's fixed port 8002; in tests the gateway listens elsewhere.</summary>
    public string GatewayUrl(string url)
    {
        var gateway = app.GetEndpoint("token-gateway", "http");
        var original = new Uri(url);
        return new UriBuilder(original) { Host = gateway.Host, Port = gateway.Port }.Uri.ToString();
    }

    public static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
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

    public static JsonSerializerOptions SnakeCase { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
