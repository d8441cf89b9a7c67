using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Token.Contracts;

namespace Token.Api.Tests;

/// <summary>
/// A deactivated client's grant is kept but neither served nor refreshed, and its consents in flight are refused; a
/// deleted client's grant is revoked at the provider first.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class ClientLifecycleTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task A_deactivated_clients_token_is_neither_served_nor_refreshed_until_it_is_active_again()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        Assert.True(await IsValidAsync(client.Id));
        await _api.ClearSandboxRequestsAsync();

        await SetActiveAsync(client.Id, false);

        var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.False(validate["is_valid"]!.GetValue<bool>());
        Assert.Null(validate["access_token"]);
        Assert.Equal("client_inactive", validate["reason"]!.GetValue<string>());
        var stored = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/client/{client.Id}"));
        Assert.Null(stored["access_token"]);
        Assert.False(stored["is_valid"]!.GetValue<bool>());
        var refused = await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id }), HttpStatusCode.Conflict);
        Assert.Contains("deactivated", refused["detail"]!.GetValue<string>());
        Assert.Equal(0, await _api.RefreshAttemptsAsync(client.ClientId));
        Assert.Equal(1, await _api.CountAsync(
            $"outbox WHERE message_type LIKE '%.ClientDeactivated' AND payload::jsonb->>'clientId' = '{client.Id}'"));

        await SetActiveAsync(client.Id, true);

        Assert.True(await IsValidAsync(client.Id));
        await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id }));
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
    }

    [Fact]
    public async Task A_login_link_and_a_consent_made_before_deactivation_are_refused_without_calling_the_provider()
    {
        var client = await _api.CreateSandboxClientAsync();
        var unopenedLink = await _api.StartConsentAsync(client.Id);
        using var browser = TokenPlatformApi.Browser();
        var (providerUrl, cookie) = await _api.ContinueAsync(browser, client.Id);
        var callbackUrl = await _api.ApproveAtProviderAsync(browser, providerUrl);
        await _api.ClearSandboxRequestsAsync();

        await SetActiveAsync(client.Id, false);

        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(unopenedLink)), HttpStatusCode.BadRequest);
        var callback = await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie)), HttpStatusCode.BadRequest);
        Assert.Contains("deactivated", callback["detail"]!.GetValue<string>());
        Assert.Empty(await _api.SandboxTokenRequestsAsync());
        Assert.Equal(0, await _api.CountAsync($"tokens WHERE client_id = {client.Id}"));
    }

    [Fact]
    public async Task Every_instance_drops_a_cached_token_when_it_hears_that_its_client_was_deactivated()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        Assert.True(await IsValidAsync(client.Id));
        // What another instance's PATCH leaves here: the row changed, this instance's memory did not.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var deactivate = db.CreateCommand();
            deactivate.CommandText = $"UPDATE clients SET is_active = false WHERE id = {client.Id}";
            await deactivate.ExecuteNonQueryAsync();
        }
        Assert.True(await IsValidAsync(client.Id));

        await fixture.Services.GetRequiredService<IBus>().Publish(
            new ClientDeactivated(Guid.NewGuid(), client.Id, [], DateTimeOffset.UtcNow, "api"));

        await Eventually.HoldsAsync(async () => !await IsValidAsync(client.Id), TimeSpan.FromSeconds(10),
            "validate kept serving the deactivated client's cached token");
    }

    [Fact]
    public async Task Deleting_a_client_revokes_its_grant_at_the_provider_and_writes_TokenRevoked()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        var accessToken = (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();
        await _api.ClearSandboxRequestsAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{client.Id}")).StatusCode);

        Assert.Contains(await _api.SandboxTokenRequestsAsync(), r => r!["endpoint"]!.GetValue<string>() == "revoke"
            && r["client_id"]?.GetValue<string>() == client.ClientId);
        using var sandbox = _api.Sandbox();
        Assert.Equal(HttpStatusCode.BadRequest,
            (await sandbox.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(accessToken)}")).StatusCode);
        Assert.Equal(1, await RevokedEventsAsync(client.Id, providerConfirmed: true));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/clients/{client.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_client_whose_provider_does_not_confirm_the_revocation_is_deleted_all_the_same()
    {
        using var sandbox = _api.Sandbox();
        var root = sandbox.BaseAddress!.ToString().TrimEnd('/');
        var provider = "unconfirmed-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = _api.Admin();
        // A revocation endpoint that answers 404: the provider never confirms.
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = provider, authorization_endpoint = $"{root}/connect/authorize",
            token_endpoint = $"{root}/connect/token", revocation_endpoint = $"{root}/connect/no-revocation-here",
            scopes = new[] { "https://www.googleapis.com/auth/business.manage" }
        }), HttpStatusCode.Created);
        var client = await _api.CreateSandboxClientAsync(provider);
        await _api.ConnectAsync(client.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/clients/{client.Id}")).StatusCode);

        Assert.Equal(1, await RevokedEventsAsync(client.Id, providerConfirmed: false));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/clients/{client.Id}")).StatusCode);
    }

    private Task<long> RevokedEventsAsync(int clientId, bool providerConfirmed) => _api.CountAsync(
        $"outbox WHERE message_type LIKE '%.TokenRevoked' AND payload::jsonb->>'clientId' = '{clientId}' " +
        $"AND payload::jsonb->>'providerConfirmed' = '{(providerConfirmed ? "true" : "false")}'");

    private async Task SetActiveAsync(int clientId, bool isActive)
    {
        using var admin = _api.Admin();
        await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/clients/{clientId}", new { is_active = isActive }));
    }

    private async Task<bool> IsValidAsync(int clientId)
    {
        using var admin = _api.Admin();
        return (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{clientId}")))["is_valid"]!.GetValue<bool>();
    }
}
