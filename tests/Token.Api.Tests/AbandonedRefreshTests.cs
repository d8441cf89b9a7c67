using System.Net.Http.Json;

namespace Token.Api.Tests;

/// <summary>
/// A caller that stops waiting does not cancel a refresh the provider was already asked for. With rotating refresh
/// tokens the provider may have used up the stored one by then: an answer left unstored would leave a grant whose
/// next refresh is refused (<c>invalid_grant</c>), a grant lost through no one's fault but ours. Found by the chaos
/// run (docs/reliability.md).
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class AbandonedRefreshTests(TokenApiFixture fixture) : IAsyncLifetime
{
    private readonly TokenPlatformApi _api = fixture.Api;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _api.ResetSandboxAsync();

    [Fact]
    public async Task A_refresh_whose_caller_went_away_is_stored_and_the_grant_keeps_working()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var admin = _api.Admin();
        var before = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{id}"));
        // The sandbox rotates refresh tokens (its default) and answers this refresh only after 1.5 s.
        await _api.SetSandboxSwitchesAsync(new
        {
            token_failure = new { mode = "slow", delay_ms = 1500, grant_type = "refresh_token" }
        });

        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }, impatient.Token));
        }
        await _api.ResetSandboxAsync();

        // The refresh completes and is stored although nobody waits for it any more.
        var version = before["token_version"]!.GetValue<long>();
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = await _api.OpenDatabaseAsync();
            await using var read = new Npgsql.NpgsqlCommand($"SELECT version FROM tokens WHERE client_id = {id}", db);
            return (long)(await read.ExecuteScalarAsync())! > version;
        }, TimeSpan.FromSeconds(10), "the abandoned refresh was not stored");
        // And the grant still refreshes: the refresh token the provider rotated to was kept.
        var next = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }));
        Assert.True(next["is_valid"]!.GetValue<bool>(), next.ToJsonString());
        Assert.Equal(version + 2, next["token_version"]!.GetValue<long>());
        Assert.Equal(2, await _api.RefreshAttemptsAsync(clientId));
    }
}
