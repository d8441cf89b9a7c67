using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Token.Api.Tests;

/// <summary>
/// A change of where grants' tokens go (a provider's token or revocation endpoint or client authentication, a client
/// moved to another provider) needs <c>"revoke_grants": true</c> and ends the grants instead of sending them there.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class ProviderChangeTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task A_used_providers_token_endpoint_changes_only_with_revoke_grants_and_its_tokens_never_go_there()
    {
        var provider = await RegisterSandboxProviderAsync();
        var a = await _api.CreateSandboxClientAsync(provider.Name);
        var b = await _api.CreateSandboxClientAsync(provider.Name);
        await _api.ConnectAsync(a.Id);
        await _api.ConnectAsync(b.Id);
        using var admin = _api.Admin();
        // The sandbox's log sees a refresh of these clients: the check at the end could fail.
        await _api.ClearSandboxRequestsAsync();
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = a.Id }));
        Assert.Equal(1, await _api.RefreshAttemptsAsync(a.ClientId));
        // The sandbox again, so that whatever reaches the new endpoint is in its log.
        var newEndpoint = provider.TokenEndpoint + "?tenant=elsewhere";

        var refused = await TokenPlatformApi.ReadProblemAsync(
            await admin.PatchAsJsonAsync($"/providers/{provider.Name}", new { token_endpoint = newEndpoint }),
            HttpStatusCode.Conflict);

        var detail = refused["detail"]!.GetValue<string>();
        Assert.Contains("2 clients use provider", detail);
        Assert.Contains("\"revoke_grants\": true", detail);
        Assert.Equal(provider.TokenEndpoint, await TokenEndpointAsync(provider.Name));
        Assert.Equal("True True", $"{await IsValidAsync(a.Id)} {await IsValidAsync(b.Id)}");
        Assert.Empty(await _api.AuditEntriesAsync($"action=provider.updated&target={provider.Name}"));

        await _api.ClearSandboxRequestsAsync();
        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync(
            $"/providers/{provider.Name}", new { token_endpoint = newEndpoint, revoke_grants = true }));

        Assert.Equal(newEndpoint, await TokenEndpointAsync(provider.Name));
        foreach (var client in new[] { a, b })
        {
            var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
            Assert.False(validate["is_valid"]!.GetValue<bool>());
            Assert.Equal("reauthorization_required", validate["reason"]!.GetValue<string>());
            Assert.Equal(1, await _api.CountAsync(
                $"outbox WHERE message_type LIKE '%.TokenRevoked' AND payload::jsonb->>'clientId' = '{client.Id}'"));
            Assert.Equal(1, await _api.CountAsync(
                "outbox WHERE message_type LIKE '%.TokenReauthorizationRequired' " +
                $"AND payload::jsonb->>'clientId' = '{client.Id}' AND payload::jsonb->>'error' = 'provider_changed'"));
            Assert.Equal(0, await _api.CountAsync(
                $"tokens WHERE client_id = {client.Id} AND refresh_token IS NOT NULL"));
            Assert.Single(await _api.AuditEntriesAsync($"action=token.revoked&target={client.Id}"));
        }
        var change = Assert.Single(await _api.AuditEntriesAsync($"action=provider.updated&target={provider.Name}"))!;
        Assert.Equal(["token_endpoint"], change["changed_fields"]!.AsArray().Select(f => f!.GetValue<string>()));

        // Revoked where they were issued (the revocation endpoint did not change); refreshed nowhere, even when asked.
        var refresh = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = a.Id }));
        Assert.False(refresh["is_valid"]!.GetValue<bool>());
        var requests = await _api.SandboxTokenRequestsAsync();
        Assert.Contains(requests, r => r!["endpoint"]!.GetValue<string>() == "revoke"
            && r["client_id"]?.GetValue<string>() == b.ClientId);
        Assert.Equal(0, await _api.RefreshAttemptsAsync(a.ClientId) + await _api.RefreshAttemptsAsync(b.ClientId));

        // The owner consents again, through the changed provider.
        Assert.Equal(HttpStatusCode.OK, (await _api.ConnectAsync(a.Id)).Answer.StatusCode);
        Assert.True(await IsValidAsync(a.Id));
    }

    [Fact]
    public async Task A_change_of_scopes_or_the_authorization_endpoint_keeps_the_grants_of_a_used_provider()
    {
        var provider = await RegisterSandboxProviderAsync();
        var client = await _api.CreateSandboxClientAsync(provider.Name);
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();

        await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync($"/providers/{provider.Name}", new
        {
            authorization_endpoint = provider.AuthorizationEndpoint + "?tenant=elsewhere",
            scopes = new[] { ProviderScope, "openid" }
        }));

        Assert.True(await IsValidAsync(client.Id));
        Assert.Equal(0, await _api.CountAsync($"outbox WHERE payload::jsonb->>'clientId' = '{client.Id}' " +
            "AND message_type NOT LIKE '%.TokenIssued'"));
    }

    [Fact]
    public async Task A_client_with_a_grant_moves_to_another_provider_only_with_revoke_grants_which_revokes_it()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        var other = await RegisterSandboxProviderAsync();
        using var admin = _api.Admin();

        var refused = await TokenPlatformApi.ReadProblemAsync(
            await admin.PatchAsJsonAsync($"/clients/{client.Id}", new { provider = other.Name }),
            HttpStatusCode.Conflict);

        Assert.Contains("revoke_grants", refused["detail"]!.GetValue<string>());
        Assert.Equal("sandbox", (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/clients/{client.Id}")))["provider"]!.GetValue<string>());
        Assert.True(await IsValidAsync(client.Id));

        await _api.ClearSandboxRequestsAsync();
        var moved = await TokenPlatformApi.ReadJsonAsync(await admin.PatchAsJsonAsync(
            $"/clients/{client.Id}", new { provider = other.Name, revoke_grants = true }));

        Assert.Equal(other.Name, moved["provider"]!.GetValue<string>());
        var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.Equal("reauthorization_required", validate["reason"]!.GetValue<string>());
        Assert.Contains(await _api.SandboxTokenRequestsAsync(), r => r!["endpoint"]!.GetValue<string>() == "revoke"
            && r["client_id"]?.GetValue<string>() == client.ClientId);
        Assert.Equal(1, await _api.CountAsync(
            $"outbox WHERE message_type LIKE '%.TokenRevoked' AND payload::jsonb->>'clientId' = '{client.Id}'"));
        Assert.Equal(["provider"], (await _api.AuditEntriesAsync($"action=client.updated&target={client.Id}"))
            .Single()!["changed_fields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task A_change_that_would_end_a_grant_being_refreshed_is_refused_until_the_refresh_is_done()
    {
        var provider = await RegisterSandboxProviderAsync();
        var client = await _api.CreateSandboxClientAsync(provider.Name);
        await _api.ConnectAsync(client.Id);
        // Another process claimed the grant's lease and may be about to read the provider.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var lease = new NpgsqlCommand(
                "UPDATE tokens SET lease_owner = 'elsewhere', lease_until = now() + interval '1 minute' " +
                "WHERE client_id = @id", db);
            lease.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await lease.ExecuteNonQueryAsync());
        }
        using var admin = _api.Admin();

        var refused = await TokenPlatformApi.ReadProblemAsync(await admin.PatchAsJsonAsync(
                $"/providers/{provider.Name}",
                new { revocation_endpoint = provider.TokenEndpoint + "?tenant=elsewhere", revoke_grants = true }),
            HttpStatusCode.Conflict);

        Assert.Contains("being refreshed", refused["detail"]!.GetValue<string>());
        Assert.Equal(1, await _api.CountAsync($"tokens WHERE client_id = {client.Id} AND refresh_token IS NOT NULL"));
        Assert.Empty(await _api.AuditEntriesAsync($"target={provider.Name}&action=provider.updated"));
    }

    private const string ProviderScope = "https://www.googleapis.com/auth/business.manage";

    private sealed record SandboxProvider(string Name, string AuthorizationEndpoint, string TokenEndpoint);

    /// <summary>A registered provider with the sandbox's endpoints, as the built-in <c>sandbox</c> has them.</summary>
    private async Task<SandboxProvider> RegisterSandboxProviderAsync()
    {
        using var sandbox = _api.Sandbox();
        var root = sandbox.BaseAddress!.ToString().TrimEnd('/');
        var provider = new SandboxProvider(
            "moved-" + Guid.NewGuid().ToString("N")[..8], $"{root}/connect/authorize", $"{root}/connect/token");
        using var admin = _api.Admin();
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = provider.Name, authorization_endpoint = provider.AuthorizationEndpoint,
            token_endpoint = provider.TokenEndpoint, revocation_endpoint = $"{root}/connect/revoke",
            scopes = new[] { ProviderScope }
        }), HttpStatusCode.Created);
        return provider;
    }

    private async Task<string> TokenEndpointAsync(string provider)
    {
        using var admin = _api.Admin();
        var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/providers/{provider}"));
        return read["token_endpoint"]!.GetValue<string>();
    }

    private async Task<bool> IsValidAsync(int clientId)
    {
        using var admin = _api.Admin();
        var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{clientId}"));
        return read["is_valid"]!.GetValue<bool>();
    }
}
