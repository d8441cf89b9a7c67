using System.Net;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class RefreshTokenTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task With_rotation_a_refresh_returns_a_new_refresh_token_and_the_old_one_is_refused()
    {
        var client = await sandbox.RegisterClientAsync();
        var first = await sandbox.GetTokensAsync(client);

        using var refresh = await sandbox.RefreshAsync(client, first.RefreshToken!);
        var second = await SandboxApi.ReadTokensAsync(refresh);
        Assert.NotNull(second.RefreshToken);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        using (var info = await sandbox.TokenInfoAsync(second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        }

        using (var next = await sandbox.RefreshAsync(client, second.RefreshToken!))
        {
            Assert.NotNull((await SandboxApi.ReadTokensAsync(next)).RefreshToken);
        }

        using var replay = await sandbox.RefreshAsync(client, first.RefreshToken!);
        var (status, body) = await SandboxApi.ReadJsonAsync(replay);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task With_a_reuse_grace_period_a_used_refresh_token_is_accepted_again_within_it_and_refused_after()
    {
        await sandbox.SetSwitchesAsync(new { refresh_token_reuse_seconds = 2 });
        var client = await sandbox.RegisterClientAsync();
        var first = await sandbox.GetTokensAsync(client);
        using (var refresh = await sandbox.RefreshAsync(client, first.RefreshToken!))
        {
            await SandboxApi.ReadTokensAsync(refresh);
        }

        // As a refresher that died before it stored the answer would: the used one again, at once.
        using var replay = await sandbox.RefreshAsync(client, first.RefreshToken!);
        var again = await SandboxApi.ReadTokensAsync(replay);
        Assert.NotNull(again.RefreshToken);
        using (var next = await sandbox.RefreshAsync(client, again.RefreshToken!))
        {
            Assert.NotNull((await SandboxApi.ReadTokensAsync(next)).RefreshToken);
        }

        // The period runs from the first use; past it, the used one is refused.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var late = await sandbox.RefreshAsync(client, first.RefreshToken!);
        var (status, body) = await SandboxApi.ReadJsonAsync(late);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Without_rotation_a_refresh_returns_no_refresh_token_and_the_old_one_keeps_working()
    {
        await sandbox.SetSwitchesAsync(new { rotate_refresh_tokens = false });
        var client = await sandbox.RegisterClientAsync();
        var first = await sandbox.GetTokensAsync(client);
        Assert.NotNull(first.RefreshToken);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var refresh = await sandbox.RefreshAsync(client, first.RefreshToken!);
            var refreshed = await SandboxApi.ReadTokensAsync(refresh);
            Assert.Null(refreshed.RefreshToken);

            using var info = await sandbox.TokenInfoAsync(refreshed.AccessToken);
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        }

        var requests = await sandbox.RecordedRequestsAsync();
        Assert.Equal(2, requests.Count(request => request.GetProperty("grant_type").GetString() == "refresh_token"));
        Assert.All(requests.Where(request => request.GetProperty("grant_type").GetString() == "refresh_token"),
            request => Assert.Equal("client_secret_basic", request.GetProperty("client_authentication").GetString()));
    }

    [Fact]
    public async Task A_refresh_token_of_another_client_is_refused()
    {
        var owner = await sandbox.RegisterClientAsync();
        var other = await sandbox.RegisterClientAsync();
        var tokens = await sandbox.GetTokensAsync(owner);

        using var refresh = await sandbox.RefreshAsync(other, tokens.RefreshToken!);

        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }
}
