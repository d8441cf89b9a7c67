using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Token.Api.Tests;

/// <summary>
/// <c>POST /tokens/refresh</c> shares one provider call among the requests for one client that arrive together, and a
/// caller naming the version it saw fail gets a newer token without a call when there is one.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class RefreshCoalescingTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task Fifty_concurrent_forced_refreshes_of_one_client_make_one_provider_call_and_get_one_token()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var admin = _api.Admin();
        var before = await ReadAsync(admin.GetAsync($"/tokens/validate/{id}"));

        // A slow provider keeps the first refresh in flight while the others arrive: they share it. (A request that
        // arrives after a refresh completed asks for a newer token, and gets one.)
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "slow", delay_ms = 1500, grant_type = "refresh_token" }
        });
        JsonObject[] answers;
        try
        {
            answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
                ReadAsync(admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }))));
        }
        finally
        {
            await _api.ResetSandboxAsync();
        }

        Assert.Equal(1, await _api.RefreshAttemptsAsync(clientId));
        var token = Assert.Single(answers.Select(a => a["access_token"]!.GetValue<string>()).Distinct());
        Assert.NotEqual(before["access_token"]!.GetValue<string>(), token);
        Assert.All(answers, a => Assert.Equal(
            before["token_version"]!.GetValue<long>() + 1, a["token_version"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_caller_naming_an_older_version_gets_the_newer_token_without_a_provider_call()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var admin = _api.Admin();
        var seen = (await ReadAsync(admin.GetAsync($"/tokens/validate/{id}")))["token_version"]!.GetValue<long>();
        var refreshed = await ReadAsync(admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }));

        var late = await ReadAsync(
            admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id, after_version = seen }));

        Assert.Equal(refreshed["access_token"]!.GetValue<string>(), late["access_token"]!.GetValue<string>());
        Assert.Equal(1, await _api.RefreshAttemptsAsync(clientId));

        // Naming the current version asks for a newer one: the provider is called.
        var current = refreshed["token_version"]!.GetValue<long>();
        var newer = await ReadAsync(
            admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id, after_version = current }));
        Assert.Equal(current + 1, newer["token_version"]!.GetValue<long>());
        Assert.Equal(2, await _api.RefreshAttemptsAsync(clientId));
    }

    private static async Task<JsonObject> ReadAsync(Task<HttpResponseMessage> answer) =>
        await TokenPlatformApi.ReadJsonAsync(await answer);
}
