using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Token.Api.Tests;

/// <summary>Every admin change leaves one entry in the audit trail, and <c>GET /admin/audit</c> reads it.</summary>
[Collection(TokenApiCollection.Name)]
public sealed class AuditTrailTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task Each_kind_of_admin_change_writes_one_entry_with_the_key_id_and_address_and_no_secret_value()
    {
        using var bootstrap = _api.Admin();
        var key = await TokenPlatformApi.ReadJsonAsync(await bootstrap.PostAsJsonAsync(
            "/api-keys", new { name = "auditor", scopes = new[] { "admin" } }), HttpStatusCode.Created);
        var keyId = key["id"]!.GetValue<string>();
        var keySecret = key["api_key"]!.GetValue<string>();
        using var admin = _api.Caller(keySecret);
        var clientId = "audited-" + Guid.NewGuid().ToString("N")[..8];
        var secret = "first-secret-" + Guid.NewGuid().ToString("N");
        var newSecret = "second-secret-" + Guid.NewGuid().ToString("N");
        var provider = "audited-" + Guid.NewGuid().ToString("N")[..8];

        var client = (await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/clients", new
        {
            client_id = clientId, client_secret = secret, redirect_uri = "https://a.test/cb"
        }), HttpStatusCode.Created))["id"]!.GetValue<int>();
        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync(
            $"/clients/{client}", new { client_secret = newSecret, is_active = false }));
        var branch = (await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync(
            "/branches", new { branch_id = clientId, client_id = client }), HttpStatusCode.Created))["id"]!;
        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync(
            $"/branches/{branch}", new { branch_name = "High street" }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/branches/{branch}")).StatusCode);
        await CreateChangeAndDeleteProviderAsync(admin, provider);
        var otherKey = (await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync(
            "/api-keys", new { name = "reader", scopes = new[] { "tokens:read" }, all_clients = true }),
            HttpStatusCode.Created))["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api-keys/{otherKey}")).StatusCode);
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsync("/admin/encryption/rotate", null));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{client}")).StatusCode);

        var mine = (await _api.AuditEntriesAsync("limit=500"))
            .Where(e => e!["actor"]!.GetValue<string>() == keyId)
            .ToDictionary(e => $"{e!["action"]} {e["target"]}", e => e!);
        Assert.Equal(
            [
                $"client.created {client}", $"client.updated {client}", $"branch.created {branch}",
                $"branch.updated {branch}", $"branch.deleted {branch}", $"provider.created {provider}",
                $"provider.updated {provider}", $"provider.deleted {provider}", $"api_key.created {otherKey}",
                $"api_key.deleted {otherKey}", "encryption.rotated ", $"client.deleted {client}"
            ],
            mine.Keys.Reverse());
        Assert.Equal(["client_id", "client_secret", "is_active", "provider", "redirect_uri"],
            Fields(mine[$"client.created {client}"]));
        Assert.Equal(["client_secret", "is_active"], Fields(mine[$"client.updated {client}"]));
        Assert.Equal(["branch_name"], Fields(mine[$"branch.updated {branch}"]));
        Assert.All(mine.Values, e => Assert.Equal("127.0.0.1", e["client_address"]!.GetValue<string>()));

        // No value a caller sent as a secret is anywhere in the trail, but what it holds in the clear is found.
        foreach (var value in new[] { secret, newSecret, keySecret })
        {
            Assert.Equal(0, await AuditRowsContainingAsync(value));
        }
        Assert.Equal(mine.Count + 1, await AuditRowsContainingAsync(keyId));
    }

    [Fact]
    public async Task The_bootstrap_key_is_named_and_the_address_is_the_one_the_local_gateway_forwarded()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/branches")
        {
            Content = JsonContent.Create(new { branch_id = $"fwd-{Guid.NewGuid():N}", client_id = client.Id })
        };
        // What the gateway sets from its connection; token-api believes it from a proxy on its own host only.
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        var branch = (await TokenPlatformApi.ReadJsonAsync(
            await admin.SendAsync(request), HttpStatusCode.Created))["id"];

        var entry = Assert.Single(await _api.AuditEntriesAsync($"action=branch.created&target={branch}"))!;
        Assert.Equal("bootstrap-admin", entry["actor"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", entry["client_address"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("10.0.0.0/8", "127.0.0.1")]
    [InlineData("127.0.0.1", "203.0.113.8")]
    public async Task Listed_trusted_proxies_replace_loopback_as_the_peers_whose_forwarded_address_is_believed(
        string trusted, string recorded)
    {
        var client = await _api.CreateSandboxClientAsync();
        await using var tokenApi = fixture.StartAnother(
            "Development", new Dictionary<string, string?> { ["Forwarding:TrustedProxies:0"] = trusted });
        using var admin = tokenApi.CreateClient();
        admin.DefaultRequestHeaders.Add("X-API-Key", _api.AdminApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/branches")
        {
            Content = JsonContent.Create(new { branch_id = $"fwd-{Guid.NewGuid():N}", client_id = client.Id })
        };
        request.Headers.Add("X-Forwarded-For", "203.0.113.8");

        var branch = (await TokenPlatformApi.ReadJsonAsync(
            await admin.SendAsync(request), HttpStatusCode.Created))["id"];

        var entry = Assert.Single(await _api.AuditEntriesAsync($"action=branch.created&target={branch}"))!;
        Assert.Equal(recorded, entry["client_address"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_audit_trail_is_for_admins_newest_first_in_pages_and_bad_paging_is_a_400()
    {
        using var reader = _api.Caller(await _api.CreateApiKeyAsync(["tokens:read"]));
        await TokenPlatformApi.ReadProblemAsync(await reader.GetAsync("/admin/audit"), HttpStatusCode.Forbidden);

        using var admin = _api.Admin();
        var provider = "paged-" + Guid.NewGuid().ToString("N")[..8];
        await CreateChangeAndDeleteProviderAsync(admin, provider);

        var first = await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/admin/audit?target={provider}&limit=2"));
        var second = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync(
            $"/admin/audit?target={provider}&limit=2&before={first["next_before"]}"));

        Assert.Equal(["provider.deleted", "provider.updated"], Actions(first));
        Assert.Equal(["provider.created"], Actions(second));
        Assert.Null(second["next_before"]);
        var ids = first["entries"]!.AsArray().Concat(second["entries"]!.AsArray())
            .Select(e => e!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        foreach (var query in new[] { "limit=0", "limit=501", "limit=many", "before=0", "action=client.stolen" })
        {
            var problem = await TokenPlatformApi.ReadProblemAsync(
                await admin.GetAsync($"/admin/audit?{query}"), HttpStatusCode.BadRequest);
            Assert.NotNull(problem["detail"] ?? problem["errors"]);
        }
    }

    /// <summary>Three admin changes of one target.</summary>
    private static async Task CreateChangeAndDeleteProviderAsync(HttpClient admin, string provider)
    {
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = provider, authorization_endpoint = "https://id.a.test/a", token_endpoint = "https://id.a.test/t"
        }), HttpStatusCode.Created);
        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync(
            $"/providers/{provider}", new { scopes = new[] { "reviews" } }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/providers/{provider}")).StatusCode);
    }

    private static IEnumerable<string> Fields(JsonNode entry) =>
        entry["changed_fields"]!.AsArray().Select(f => f!.GetValue<string>()).Order();

    private static IEnumerable<string> Actions(JsonObject page) =>
        page["entries"]!.AsArray().Select(e => e!["action"]!.GetValue<string>());

    /// <summary>Rows of the audit trail whose text (every column) contains the value.</summary>
    private async Task<long> AuditRowsContainingAsync(string value)
    {
        await using var db = await _api.OpenDatabaseAsync();
        await using var search = new NpgsqlCommand(
            "SELECT count(*) FROM audit_entries t WHERE strpos(t::text, @value) > 0", db);
        search.Parameters.AddWithValue("value", value);
        return (long)(await search.ExecuteScalarAsync())!;
    }
}
