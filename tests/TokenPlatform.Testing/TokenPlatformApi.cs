using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
        refresh_token_reuse_seconds = 0, token_failure = new { mode = "none" }
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

    /// <summary>A new consent for the client: the login link <c>/oauth/start</c> answers, made reachable.</summary>
    public async Task<string> StartConsentAsync(int clientId)
    {
        using var admin = Admin();
        var start = await ReadJsonAsync(await admin.GetAsync($"/oauth/start/{clientId}"));
        return Reachable(start["login_url"]!.GetValue<string>());
    }

    /// <summary>
    /// The business owner's walk: /oauth/start → the login page and its button → the provider's consent (approved
    /// automatically) → back to /auth/callback with the consent's cookie. Returns the callback URL and its answer.
    /// </summary>
    public async Task<(string CallbackUrl, HttpResponseMessage Answer)> ConnectAsync(int clientId)
    {
        using var browser = Browser();
        var (providerUrl, cookie) = await ContinueAsync(browser, clientId);
        var callbackUrl = await ApproveAtProviderAsync(browser, providerUrl);
        return (callbackUrl, await browser.SendAsync(JsonGet(callbackUrl, cookie)));
    }

    /// <summary>A new consent for the client, continued in this browser.</summary>
    public async Task<(string ProviderUrl, string Cookie)> ContinueAsync(HttpClient browser, int clientId) =>
        await ContinueAsync(browser, await StartConsentAsync(clientId));

    /// <summary>
    /// Opens the login page and presses its button: returns the provider's consent page it leads to and the cookie
    /// that binds the consent to this browser, as a Cookie header's <c>name=value</c>.
    /// </summary>
    public static async Task<(string ProviderUrl, string Cookie)> ContinueAsync(HttpClient browser, string loginUrl)
    {
        using var button = await LoginButtonAsync(browser, loginUrl);
        var toProvider = await browser.SendAsync(button);
        Assert.Equal(HttpStatusCode.SeeOther, toProvider.StatusCode);
        return (toProvider.Headers.Location!.ToString(), BindingCookie(toProvider));
    }

    /// <summary>Opens the login page (which must answer 200) and returns the POST its button would send.</summary>
    public static async Task<HttpRequestMessage> LoginButtonAsync(HttpClient browser, string loginUrl)
    {
        var page = await browser.GetAsync(loginUrl);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"the login page answered {(int)page.StatusCode}: {html}");
        var form = Regex.Match(html, "<form method=\"post\" action=\"([^\"]*)\">");
        Assert.True(form.Success, $"the login page has no form: {html}");
        var action = new Uri(new Uri(loginUrl), WebUtility.HtmlDecode(form.Groups[1].Value));
        return new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(HiddenFields(html))
        };
    }

    /// <summary>The hidden fields of a form on a page, decoded.</summary>
    public static Dictionary<string, string> HiddenFields(string html) =>
        Regex.Matches(html, "<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">").ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

    /// <summary>
    /// The consent cookie an answer sets, as <c>name=value</c>. The test carries it itself: HttpClient's cookie
    /// container sends no Secure cookie over http, which browsers do for localhost.
    /// </summary>
    public static string BindingCookie(HttpResponseMessage answer)
    {
        var cookie = SetCookies(answer).SingleOrDefault(c => c.StartsWith("__Host-consent-", StringComparison.Ordinal));
        Assert.True(cookie is not null, $"no consent cookie was set (HTTP {(int)answer.StatusCode})");
        return cookie.Split(';')[0];
    }

    public static IEnumerable<string> SetCookies(HttpResponseMessage answer) =>
        answer.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [];

    /// <summary>The provider approves (automatically): returns the callback URL it sends the browser back to.</summary>
    public async Task<string> ApproveAtProviderAsync(HttpClient browser, string providerUrl)
    {
        await SetSandboxSwitchesAsync(new { auto_approve = true });
        var back = await browser.GetAsync(providerUrl);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        return Reachable(back.Headers.Location!.ToString());
    }

    /// <summary>
    /// A browser's GET that asks for JSON, as the tests read the browser endpoints' answers, with the cookies given
    /// (a Cookie header's value).
    /// </summary>
    public static HttpRequestMessage JsonGet(string url, string? cookies = null)
    {
        var request = AskingForJson(new HttpRequestMessage(HttpMethod.Get, url));
        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }
        return request;
    }

    /// <summary>The login page's button pressed with <paramref name="ticket"/> by a program that reads JSON.</summary>
    public static HttpRequestMessage JsonLoginPost(string url, string ticket) =>
        AskingForJson(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["ticket"] = ticket })
        });

    private static HttpRequestMessage AskingForJson(HttpRequestMessage request)
    {
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
