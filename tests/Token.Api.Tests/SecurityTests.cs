using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace Token.Api.Tests;

[Collection(TokenApiCollection.Name)]
public sealed class SecurityTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    public enum Key { None, Unknown, Admin, TokensRead, TokensReadForA }

    [Theory]
    // Admin-only operations.
    [InlineData(Key.None, "GET", "/clients", HttpStatusCode.Unauthorized)]
    [InlineData(Key.Unknown, "GET", "/clients", HttpStatusCode.Unauthorized)]
    [InlineData(Key.Admin, "GET", "/clients", HttpStatusCode.OK)]
    [InlineData(Key.TokensRead, "GET", "/clients", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensReadForA, "GET", "/clients", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensRead, "GET", "/oauth/start/{A}", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensRead, "DELETE", "/tokens/{B}", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensRead, "GET", "/api-keys", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensRead, "GET", "/providers", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensRead, "GET", "/branches", HttpStatusCode.Forbidden)]
    // Token reads, with and without a client list.
    [InlineData(Key.None, "GET", "/tokens/validate/{A}", HttpStatusCode.Unauthorized)]
    [InlineData(Key.Unknown, "GET", "/tokens/validate/{A}", HttpStatusCode.Unauthorized)]
    [InlineData(Key.Admin, "GET", "/tokens/validate/{A}", HttpStatusCode.OK)]
    [InlineData(Key.TokensRead, "GET", "/tokens/validate/{A}", HttpStatusCode.OK)]
    [InlineData(Key.TokensRead, "GET", "/tokens/validate/{B}", HttpStatusCode.OK)]
    [InlineData(Key.TokensReadForA, "GET", "/tokens/validate/{A}", HttpStatusCode.OK)]
    [InlineData(Key.TokensReadForA, "GET", "/tokens/validate/{B}", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensReadForA, "GET", "/tokens/client/{B}", HttpStatusCode.Forbidden)]
    [InlineData(Key.TokensReadForA, "POST", "/tokens/refresh#{B}", HttpStatusCode.Forbidden)]
    public async Task Each_key_reaches_exactly_what_its_scopes_and_client_list_allow(Key key, string method,
        string path, HttpStatusCode expected)
    {
        var (a, b) = await CreateClientPairAsync();
        var apiKey = key switch
        {
            Key.None => null,
            Key.Unknown => "tp_not-a-key",
            Key.Admin => TokenApiFixture.AdminApiKey,
            Key.TokensRead => await _api.CreateApiKeyAsync(["tokens:read"], null),
            _ => await _api.CreateApiKeyAsync(["tokens:read"], [a])
        };
        using var http = _api.Caller(apiKey);
        var target = path.Replace("{A}", a.ToString()).Replace("{B}", b.ToString());

        using var response = method switch
        {
            "GET" => await http.GetAsync(target),
            "DELETE" => await http.DeleteAsync(target),
            _ => await http.PostAsJsonAsync(target.Split('#')[0], new { client_id = int.Parse(target.Split('#')[1]) })
        };

        Assert.Equal(expected, response.StatusCode);
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            await TokenPlatformApi.ReadProblemAsync(response, expected);
        }
    }

    [Fact]
    public async Task A_key_is_shown_once_stored_hashed_and_stops_working_when_deleted()
    {
        using var admin = _api.Admin();
        var created = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/api-keys", new
            {
                name = "review-fetcher", scopes = new[] { "tokens:read" }, all_clients = true
            }),
            HttpStatusCode.Created);
        var secret = created["api_key"]!.GetValue<string>();
        Assert.DoesNotContain(secret, await admin.GetStringAsync("/api-keys"));
        Assert.Equal(0, await CountRowsContainingAsync(secret));

        using var caller = _api.Caller(secret);
        var (a, _) = await CreateClientPairAsync();
        Assert.Equal(HttpStatusCode.OK, (await caller.GetAsync($"/tokens/validate/{a}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent,
            (await admin.DeleteAsync($"/api-keys/{created["id"]!.GetValue<string>()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await caller.GetAsync($"/tokens/validate/{a}")).StatusCode);
    }

    [Fact]
    public async Task No_table_holds_a_token_secret_state_login_ticket_or_browser_binding_in_plain_text()
    {
        var client = await _api.CreateSandboxClientAsync();
        var loginUrl = await _api.StartConsentAsync(client.Id);
        var loginTicket = System.Web.HttpUtility.ParseQueryString(new Uri(loginUrl).Query)["ticket"]!;
        using var browser = TokenPlatformApi.Browser();
        var (providerUrl, cookie) = await TokenPlatformApi.ContinueAsync(browser, loginUrl);
        var state = System.Web.HttpUtility.ParseQueryString(new Uri(providerUrl).Query)["state"]!;
        var callbackUrl = await _api.ApproveAtProviderAsync(browser, providerUrl);
        await TokenPlatformApi.ReadJsonAsync(await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie)));
        using var admin = _api.Admin();
        var accessToken = (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();

        var browserBinding = cookie.Split('=', 2)[1];
        foreach (var secret in new[] { client.Secret, accessToken, state, loginTicket, browserBinding })
        {
            Assert.Equal(0, await CountRowsContainingAsync(secret));
        }

        // The search does find what is stored in the clear, in a text column and in a bytea column alike.
        Assert.True(await CountRowsContainingAsync(client.ClientId) > 0);
        var canary = await _api.CreateSandboxClientAsync();
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var plain = new NpgsqlCommand(
                "UPDATE clients SET client_secret = convert_to('canary-' || client_id, 'UTF8') WHERE id = @id", db);
            plain.Parameters.AddWithValue("id", canary.Id);
            Assert.Equal(1, await plain.ExecuteNonQueryAsync());
        }
        var found = await CountRowsContainingAsync("canary-" + canary.ClientId);
        // A secret in the clear is what rotation and the start-up key check refuse: it leaves with this test.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{canary.Id}")).StatusCode);
        Assert.Equal(1, found);
    }

    [Fact]
    public async Task Every_answer_that_carries_a_token_or_a_secret_is_marked_no_store()
    {
        var client = await _api.CreateSandboxClientAsync();
        var (_, callback) = await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();

        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("the callback", callback),
            ("validate", await admin.GetAsync($"/tokens/validate/{client.Id}")),
            ("the current token", await admin.GetAsync($"/tokens/client/{client.Id}")),
            ("refresh", await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id })),
            ("the consent start", await admin.GetAsync($"/oauth/start/{client.Id}")),
            ("a new API key",
                await admin.PostAsJsonAsync("/api-keys", new
                {
                    name = "cached?", scopes = new[] { "tokens:read" }, all_clients = true
                }))
        };

        foreach (var (what, response) in answers)
        {
            Assert.True(response.IsSuccessStatusCode, $"{what} answered {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true,
                $"{what} answered without Cache-Control: no-store");
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("""{"name": "k", "scopes": ["tokens:read"]}""", "client_ids")]
    [InlineData("""{"name": "k", "scopes": ["tokens:read"], "all_clients": false}""", "client_ids")]
    [InlineData("""{"name": "k", "scopes": ["tokens:read"], "client_ids": [1], "all_clients": true}""", "all_clients")]
    [InlineData("""{"name": "k", "scopes": ["admin"], "client_ids": [1]}""", "client_ids")]
    public async Task A_key_that_does_not_say_which_clients_it_reads_or_an_admin_key_with_a_client_list_is_refused(
        string body, string field)
    {
        using var admin = _api.Admin();
        var keysBefore = await _api.CountAsync("api_keys");

        using var refused = await admin.PostAsync(
            "/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await TokenPlatformApi.ReadProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(keysBefore, await _api.CountAsync("api_keys"));
    }

    [Theory]
    [InlineData("""{"name": "k", "scopes": ["tokens:read"], "all_clients": true}""")]
    [InlineData("""{"name": "k", "scopes": ["tokens:read"], "client_ids": [1]}""")]
    [InlineData("""{"name": "k", "scopes": ["admin"]}""")]
    public async Task A_key_that_says_which_clients_it_reads_is_created(string body)
    {
        using var admin = _api.Admin();

        using var created = await admin.PostAsync(
            "/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_key_limited_to_other_clients_is_told_why_and_its_bad_request_is_still_a_400_without_no_store()
    {
        var (a, b) = await CreateClientPairAsync();
        using var limited = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"], [a]));

        using var refused = await limited.PostAsJsonAsync("/tokens/refresh", new { client_id = b });
        var problem = await TokenPlatformApi.ReadProblemAsync(refused, HttpStatusCode.Forbidden);
        using var invalid = await limited.PostAsJsonAsync("/tokens/refresh", new { client_id = 0 });
        await TokenPlatformApi.ReadProblemAsync(invalid, HttpStatusCode.BadRequest);

        Assert.Contains($"This API key may not refresh tokens of client {b}.", problem.ToJsonString());
        // No-store marks the answers that carry a token; a refusal carries none.
        Assert.NotEqual(true, refused.Headers.CacheControl?.NoStore);
        Assert.NotEqual(true, invalid.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task A_ciphertext_copied_to_another_row_does_not_decrypt()
    {
        var victim = await _api.CreateSandboxClientAsync();
        var thief = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(victim.Id);
        await _api.ConnectAsync(thief.Id);

        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var copy = new NpgsqlCommand(
                "UPDATE tokens SET access_token = (SELECT access_token FROM tokens WHERE client_id = @victim) " +
                "WHERE client_id = @thief", db);
            copy.Parameters.AddWithValue("victim", victim.Id);
            copy.Parameters.AddWithValue("thief", thief.Id);
            Assert.Equal(1, await copy.ExecuteNonQueryAsync());
        }

        using var admin = _api.Admin();
        var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{thief.Id}"));
        // A value that does not decrypt is what key rotation refuses: it leaves with this test.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{thief.Id}")).StatusCode);
        Assert.False(validate["is_valid"]!.GetValue<bool>());
        Assert.Equal("unreadable", validate["reason"]!.GetValue<string>());
        Assert.True(validate["access_token"] is null);
    }

    private async Task<(int A, int B)> CreateClientPairAsync()
    {
        var a = await _api.CreateSandboxClientAsync();
        var b = await _api.CreateSandboxClientAsync();
        return (a.Id, b.Id);
    }

    private async Task<int> CountRowsContainingAsync(string value)
    {
        await using var db = await _api.OpenDatabaseAsync();
        return await DatabaseSearch.CountRowsContainingAsync(db, value);
    }
}
