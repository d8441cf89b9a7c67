using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace Token.Api.Tests;

/// <summary>The legacy service's endpoints and JSON field names, and how bad input is answered.</summary>
[Collection(TokenApiCollection.Name)]
public sealed class ApiContractTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task Clients_are_created_read_listed_updated_and_deleted_with_the_legacy_field_names()
    {
        using var admin = _api.Admin();
        var created = await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/clients", new
        {
            client_id = "crud-client", client_secret = "s3cret-value",
            redirect_uri = "https://example.com/auth/callback"
        }), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<int>();
        Assert.Equal(["id", "client_id", "redirect_uri", "provider", "is_active", "created_at", "updated_at"],
            created.Select(p => p.Key));
        Assert.Equal("google", created["provider"]!.GetValue<string>());

        Assert.Equal("crud-client",
            (await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/clients/{id}")))["client_id"]!
                .GetValue<string>());
        Assert.Contains("\"client_id\":\"crud-client\"", await admin.GetStringAsync("/clients"));

        var updated = await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/clients/{id}", new { is_active = false }));
        Assert.False(updated["is_active"]!.GetValue<bool>());
        Assert.Equal("https://example.com/auth/callback", updated["redirect_uri"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{id}")).StatusCode);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync($"/clients/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Branches_are_managed_and_found_by_branch_id_client_and_location()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();
        var branchId = "branch-" + Guid.NewGuid().ToString("N")[..8];
        var created = await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/branches", new
        {
            branch_id = branchId, client_id = client.Id, branch_name = "Main street", email = "owner@example.com",
            description = "Flagship", account_id = "accounts/1", location_id = "locations/42"
        }), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<int>();
        Assert.Equal(
            ["id", "branch_id", "client_id", "branch_name", "email", "description", "account_id", "location_id",
                "is_active", "created_at", "updated_at"],
            created.Select(p => p.Key));

        Assert.Equal(id,
            (await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/branches/by-branch-id/{branchId}")))["id"]!
                .GetValue<int>());
        Assert.Equal(id,
            (await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/branches/{id}")))["id"]!.GetValue<int>());
        Assert.Contains(branchId, await admin.GetStringAsync($"/branches?client_id={client.Id}"));
        Assert.Contains(branchId, await admin.GetStringAsync("/branches?location_id=locations/42"));
        Assert.Equal("[]", await admin.GetStringAsync("/branches?location_id=locations/none"));

        var updated = await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/branches/{id}", new { branch_name = "High street" }));
        Assert.Equal("High street", updated["branch_name"]!.GetValue<string>());
        Assert.Equal("Flagship", updated["description"]!.GetValue<string>());

        await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsJsonAsync("/branches", new { branch_id = branchId, client_id = client.Id }),
            HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/branches/{id}")).StatusCode);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync($"/branches/by-branch-id/{branchId}"),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Providers_are_registered_listed_changed_and_deleted_and_built_ins_are_protected()
    {
        using var admin = _api.Admin();
        var created = await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = "acme", authorization_endpoint = "https://id.acme.test/authorize",
            token_endpoint = "https://id.acme.test/token",
            revocation_endpoint = "https://id.acme.test/revoke", scopes = new[] { "reviews.read" },
            authorization_parameters = new Dictionary<string, string> { ["audience"] = "reviews" },
            token_endpoint_auth_method = "client_secret_basic"
        }), HttpStatusCode.Created);
        Assert.False(created["built_in"]!.GetValue<bool>());

        var names = await admin.GetStringAsync("/providers");
        Assert.Contains("\"name\":\"google\"", names);
        Assert.Contains("\"name\":\"sandbox\"", names);
        Assert.Contains("\"name\":\"acme\"", names);

        var patched = await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync("/providers/acme",
            new { scopes = new[] { "reviews.read", "reviews.write" } }));
        Assert.Equal(2, patched["scopes"]!.AsArray().Count);
        Assert.Equal("client_secret_basic", patched["token_endpoint_auth_method"]!.GetValue<string>());

        await TokenPlatformApi.ReadProblemAsync(await admin.DeleteAsync("/providers/google"), HttpStatusCode.Conflict);
        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = "google", authorization_endpoint = "https://a.test/a", token_endpoint = "https://a.test/t"
        }), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/providers/acme")).StatusCode);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync("/providers/acme"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Validate_answers_a_client_without_a_grant_with_is_valid_false_and_an_unknown_one_with_404()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();

        var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.False(validate["is_valid"]!.GetValue<bool>());
        Assert.Null(validate["access_token"]);
        Assert.Equal("no_grant", validate["reason"]!.GetValue<string>());

        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync("/tokens/validate/999999"),
            HttpStatusCode.NotFound);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync("/tokens/client/999999"), HttpStatusCode.NotFound);
        await TokenPlatformApi.ReadProblemAsync(await admin.DeleteAsync("/tokens/999999"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_current_token_is_read_without_a_refresh_and_never_carries_the_refresh_token()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();

        using var response = await admin.GetAsync($"/tokens/client/{client.Id}");
        var token = await TokenPlatformApi.ReadJsonAsync(response);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.False(string.IsNullOrEmpty(token["access_token"]!.GetValue<string>()));
        Assert.Equal(1, token["version"]!.GetValue<long>());
        Assert.DoesNotContain(token, p => p.Key.Contains("refresh_token")
            || p.Key.Contains("secret")
            || p.Key.Contains("verifier"));
    }

    [Fact]
    public async Task Root_health_and_the_documentation_are_served_through_the_gateway()
    {
        using var anonymous = _api.Caller();

        var root = await TokenPlatformApi.ReadJsonAsync(await anonymous.GetAsync("/"));
        Assert.Equal("Token Generation Service", root["service"]!.GetValue<string>());

        var health = await TokenPlatformApi.ReadJsonAsync(await anonymous.GetAsync("/health"));
        Assert.Equal("healthy", health["status"]!.GetValue<string>());
        Assert.Equal("connected", health["database"]!.GetValue<string>());
        Assert.Equal("connected", health["message_bus"]!.GetValue<string>());
        Assert.True(health.ContainsKey("timestamp") && health.ContainsKey("version") && health.ContainsKey("service"));

        var openApi = await TokenPlatformApi.ReadJsonAsync(await anonymous.GetAsync("/openapi/v1.json"));
        Assert.True(openApi["paths"]!.AsObject().ContainsKey("/tokens/validate/{client_id}"));
        Assert.Contains("swagger", await anonymous.GetStringAsync("/docs"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("redoc", await anonymous.GetStringAsync("/redoc"), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{\"client_id\": \"x\", ", "malformed JSON")]
    [InlineData("{\"client_id\": 12, \"client_secret\": true, \"redirect_uri\": []}", "wrong types")]
    [InlineData("{\"client_id\": \"x\", \"client_secret\": \"y\", \"redirect_uri\": \"not a url\"}",
        "invalid redirect URI")]
    [InlineData("{\"client_id\": \"x\", \"client_secret\": \"y\", \"redirect_uri\": \"javascript:alert(1)\"}",
        "non-http redirect URI")]
    [InlineData("{\"client_id\": \"x\", \"client_secret\": \"y\", \"redirect_uri\": \"https://a.test/cb#frag\"}",
        "redirect URI with a fragment")]
    [InlineData("{\"client_id\": \"\", \"client_secret\": \"y\", \"redirect_uri\": \"https://a.test/cb\"}",
        "empty client_id")]
    [InlineData("{\"client_id\": \"x\", \"client_secret\": \"y\", \"redirect_uri\": \"https://a.test/cb\", " +
        "\"provider\": \"nope\"}", "unknown provider")]
    public async Task A_bad_client_is_refused_with_400_and_nothing_is_written(string body, string why)
    {
        using var admin = _api.Admin();
        var before = await _api.CountAsync("clients");

        var problem = await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsync("/clients", TokenPlatformApi.Json(body)), HttpStatusCode.BadRequest);

        Assert.NotNull(problem["detail"] ?? problem["errors"] ?? problem["title"]);
        Assert.True(before == await _api.CountAsync("clients"), why);
    }

    [Theory]
    [InlineData("{\"name\": \"bad-urls\", \"authorization_endpoint\": \"ftp://a.test/a\", " +
        "\"token_endpoint\": \"https://a.test/t\"}")]
    [InlineData("{\"name\": \"bad-urls\", \"authorization_endpoint\": \"https://a.test/a\", " +
        "\"token_endpoint\": \"/relative\"}")]
    [InlineData("{\"name\": \"Bad Name\", \"authorization_endpoint\": \"https://a.test/a\", " +
        "\"token_endpoint\": \"https://a.test/t\"}")]
    [InlineData("{\"name\": \"bad-method\", \"authorization_endpoint\": \"https://a.test/a\", " +
        "\"token_endpoint\": \"https://a.test/t\", \"token_endpoint_auth_method\": \"private_key_jwt\"}")]
    [InlineData("{\"name\": \"bad-params\", \"authorization_endpoint\": \"https://a.test/a\", " +
        "\"token_endpoint\": \"https://a.test/t\", \"authorization_parameters\": {\"state\": \"fixed\"}}")]
    public async Task A_bad_provider_is_refused_with_400_and_nothing_is_written(string body)
    {
        using var admin = _api.Admin();
        var before = await _api.CountAsync("providers");

        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsync("/providers", TokenPlatformApi.Json(body)),
            HttpStatusCode.BadRequest);

        Assert.Equal(before, await _api.CountAsync("providers"));
    }

    [Fact]
    public async Task Conflicts_unknown_ids_and_wrong_route_types_are_problem_details()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();

        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsJsonAsync("/clients", new
        {
            client_id = client.ClientId, client_secret = "x", redirect_uri = "https://a.test/cb"
        }), HttpStatusCode.Conflict);
        await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsJsonAsync("/branches", new { branch_id = "orphan", client_id = 999999 }),
            HttpStatusCode.NotFound);
        await TokenPlatformApi.ReadProblemAsync(
            await admin.PatchAsJsonAsync("/clients/999999", new { is_active = false }),
            HttpStatusCode.NotFound);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync("/tokens/validate/not-a-number"),
            HttpStatusCode.BadRequest);
        Assert.Equal(0, await _api.CountAsync("branches WHERE branch_id = 'orphan'"));
    }

    [Fact]
    public async Task An_oversize_body_is_refused_with_413_problem_details_and_nothing_is_written()
    {
        using var admin = _api.Admin();
        var before = await _api.CountAsync("clients");
        var huge = $"{{\"client_id\": \"huge\", \"client_secret\": \"{new string('x', 200_000)}\", " +
            "\"redirect_uri\": \"https://a.test/cb\"}";

        await TokenPlatformApi.ReadProblemAsync(await admin.PostAsync("/clients", TokenPlatformApi.Json(huge)),
            HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(before, await _api.CountAsync("clients"));
    }
}
