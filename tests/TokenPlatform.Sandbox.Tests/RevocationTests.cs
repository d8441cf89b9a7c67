using System.Net;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class RevocationTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_revoked_access_token_is_refused_by_tokeninfo_and_introspection()
    {
        var client = await sandbox.RegisterClientAsync();
        var tokens = await sandbox.GetTokensAsync(client);
        using (var before = await sandbox.IntrospectAsync(client, tokens.AccessToken))
        {
            var (_, body) = await SandboxApi.ReadJsonAsync(before);
            Assert.True(body.GetProperty("active").GetBoolean());
        }

        using var revoke = await sandbox.RevokeAsync(client, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        using var info = await sandbox.TokenInfoAsync(tokens.AccessToken);
        var (status, error) = await SandboxApi.ReadJsonAsync(info);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_token", error.GetProperty("error").GetString());

        using var after = await sandbox.IntrospectAsync(client, tokens.AccessToken);
        var (_, introspection) = await SandboxApi.ReadJsonAsync(after);
        Assert.False(introspection.GetProperty("active").GetBoolean());

        var recorded = Assert.Single(await sandbox.RecordedRequestsAsync(),
            request => request.GetProperty("endpoint").GetString() == "revoke");
        Assert.Equal(client.Id, recorded.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task A_revoked_refresh_token_can_no_longer_be_used()
    {
        var client = await sandbox.RegisterClientAsync();
        var tokens = await sandbox.GetTokensAsync(client);

        using var revoke = await sandbox.RevokeAsync(client, tokens.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        using var refresh = await sandbox.RefreshAsync(client, tokens.RefreshToken!);
        var (status, body) = await SandboxApi.ReadJsonAsync(refresh);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }
}
