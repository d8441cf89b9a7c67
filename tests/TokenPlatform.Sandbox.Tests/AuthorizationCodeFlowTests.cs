using System.Net;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class AuthorizationCodeFlowTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_code_exchanged_with_its_verifier_yields_tokens_that_tokeninfo_reports_active()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();

        var redirect = await sandbox.AuthorizeAsync(client, pkce, state: "opaque-state");
        Assert.Equal("opaque-state", redirect["state"]);
        Assert.False(string.IsNullOrEmpty(redirect["code"]));

        using var exchange = await sandbox.ExchangeCodeAsync(client, redirect["code"]!, pkce.Verifier);
        var tokens = await SandboxApi.ReadTokensAsync(exchange);
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.NotNull(tokens.RefreshToken);
        Assert.InRange(tokens.ExpiresIn ?? 0, 3590, 3600);

        using var info = await sandbox.TokenInfoAsync(tokens.AccessToken);
        var (status, body) = await SandboxApi.ReadJsonAsync(info);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal(client.Id, body.GetProperty("client_id").GetString());
        Assert.Equal(SandboxApi.BusinessScope, body.GetProperty("scope").GetString());
        Assert.Equal("sandbox-user", body.GetProperty("sub").GetString());
        Assert.InRange(body.GetProperty("expires_in").GetInt64(), 3500, 3600);
    }

    [Fact]
    public async Task The_request_log_shows_the_code_exchange_carried_the_pkce_verifier()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        Assert.Empty(await sandbox.RecordedRequestsAsync());

        using var exchange = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);

        var request = Assert.Single(await sandbox.RecordedRequestsAsync());
        Assert.Equal("token", request.GetProperty("endpoint").GetString());
        Assert.Equal("authorization_code", request.GetProperty("grant_type").GetString());
        Assert.Equal(client.Id, request.GetProperty("client_id").GetString());
        Assert.Equal("client_secret_post", request.GetProperty("client_authentication").GetString());
        Assert.True(request.GetProperty("has_code_verifier").GetBoolean());
        Assert.Equal(pkce.Verifier.Length, request.GetProperty("code_verifier_length").GetInt32());
        Assert.True(request.TryGetProperty("at", out _));

        var raw = request.GetRawText();
        Assert.DoesNotContain(pkce.Verifier, raw);
        Assert.DoesNotContain(code, raw);
        Assert.DoesNotContain(client.Secret, raw);
    }

    [Fact]
    public async Task A_code_exchange_with_the_wrong_verifier_is_refused()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);

        using var exchange = await sandbox.ExchangeCodeAsync(client, code, Pkce.Create().Verifier);
        var (status, body) = await SandboxApi.ReadJsonAsync(exchange);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_authorization_request_without_a_code_challenge_is_refused()
    {
        var client = await sandbox.RegisterClientAsync();

        using var response = await sandbox.Http.GetAsync(SandboxApi.AuthorizationPath(client, pkce: null));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code_challenge", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_authorization_request_with_a_plain_code_challenge_is_refused()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();

        using var response = await sandbox.Http.GetAsync(
            SandboxApi.AuthorizationPath(client, pkce with { Challenge = pkce.Verifier }, challengeMethod: "plain"));

        Assert.False(response.StatusCode == HttpStatusCode.Found
            && response.Headers.Location?.Query.Contains("code=") == true, "a plain challenge was accepted");
    }

    [Fact]
    public async Task The_access_token_lifetime_switch_sets_expires_in_of_new_tokens()
    {
        await sandbox.SetSwitchesAsync(new { access_token_lifetime_seconds = 120 });
        var client = await sandbox.RegisterClientAsync();

        var tokens = await sandbox.GetTokensAsync(client);
        Assert.InRange(tokens.ExpiresIn ?? 0, 110, 120);

        using var info = await sandbox.TokenInfoAsync(tokens.AccessToken);
        var (_, body) = await SandboxApi.ReadJsonAsync(info);
        Assert.InRange(body.GetProperty("expires_in").GetInt64(), 100, 120);
    }

    [Fact]
    public async Task A_client_configured_at_start_can_authorize()
    {
        var client = new TestClient(SandboxProcess.SeededClientId, SandboxProcess.SeededClientSecret,
            SandboxProcess.SeededRedirectUri);

        var tokens = await sandbox.GetTokensAsync(client);

        using var info = await sandbox.TokenInfoAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task A_code_issued_at_127_0_0_1_is_redeemed_and_its_token_accepted_at_localhost()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        using var localhost = new HttpClient
        {
            BaseAddress = new UriBuilder(sandbox.BaseAddress) { Host = "localhost" }.Uri
        };

        using var exchange = await localhost.PostAsync("/connect/token",
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = client.RedirectUri,
                ["code_verifier"] = pkce.Verifier,
                ["client_id"] = client.Id,
                ["client_secret"] = client.Secret
            }));
        var tokens = await SandboxApi.ReadTokensAsync(exchange);

        using var info =
            await localhost.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(tokens.AccessToken)}");
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task Tokeninfo_refuses_an_unknown_token()
    {
        using var info = await sandbox.TokenInfoAsync("not-a-token");
        var (status, body) = await SandboxApi.ReadJsonAsync(info);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_sandbox_logs_issued_tokens_without_any_token_code_secret_or_verifier()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        using var exchange = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier);
        var tokens = await SandboxApi.ReadTokensAsync(exchange);
        using var refresh = await sandbox.RefreshAsync(client, tokens.RefreshToken!);
        var refreshed = await SandboxApi.ReadTokensAsync(refresh);
        using var info = await sandbox.TokenInfoAsync(refreshed.AccessToken);
        using var revoke = await sandbox.RevokeAsync(client, refreshed.AccessToken);

        await sandbox.WaitForOutputAsync(
            $"Revoked a token of type urn:ietf:params:oauth:token-type:access_token for {client.Id}",
            TimeSpan.FromSeconds(10));

        var output = sandbox.Output;
        Assert.Contains($"Issued an access token to {client.Id} for grant authorization_code", output);
        Assert.Contains($"Issued an access token to {client.Id} for grant refresh_token", output);
        foreach (var secret in new[]
        {
            client.Secret, pkce.Verifier, code, tokens.AccessToken, tokens.RefreshToken!, refreshed.AccessToken,
            refreshed.RefreshToken!
        })
        {
            Assert.DoesNotContain(secret, output);
        }
    }
}
