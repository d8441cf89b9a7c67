using System.Diagnostics;
using System.Net;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class TokenFailureTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => sandbox.ResetAsync();

    [Fact]
    public async Task Status_mode_answers_the_status_with_retry_after_and_leaves_the_code_unused()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        await sandbox.SetSwitchesAsync(
            new { token_failure = new { mode = "status", status_code = 503, retry_after_seconds = 7 } });

        using (var failed = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier))
        {
            var (status, body) = await SandboxApi.ReadJsonAsync(failed);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal(TimeSpan.FromSeconds(7), failed.Headers.RetryAfter?.Delta);
            Assert.True(body.TryGetProperty("error", out _));
        }

        // The failed request was still recorded, and it never reached OpenIddict: the code is still good.
        Assert.Single(await sandbox.RecordedRequestsAsync());
        await sandbox.SetSwitchesAsync(new { token_failure = new { mode = "none" } });
        using var retried = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task Invalid_grant_mode_for_refresh_tokens_refuses_refreshes_while_codes_still_work()
    {
        var client = await sandbox.RegisterClientAsync();
        await sandbox.SetSwitchesAsync(
            new { token_failure = new { mode = "invalid_grant", grant_type = "refresh_token" } });

        var tokens = await sandbox.GetTokensAsync(client);

        using var refresh = await sandbox.RefreshAsync(client, tokens.RefreshToken!);
        var (status, body) = await SandboxApi.ReadJsonAsync(refresh);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task Slow_mode_answers_normally_after_the_delay()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        await sandbox.SetSwitchesAsync(
            new { token_failure = new { mode = "slow", delay_ms = 1000, grant_type = "authorization_code" } });

        var stopwatch = Stopwatch.StartNew();
        using var exchange = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(1000), $"answered after {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Slow_answer_mode_uses_up_the_refresh_token_before_its_answer_is_sent()
    {
        var client = await sandbox.RegisterClientAsync();
        var first = await sandbox.GetTokensAsync(client);
        await sandbox.SetSwitchesAsync(
            new { token_failure = new { mode = "slow_answer", delay_ms = 2000, grant_type = "refresh_token" } });

        var stopwatch = Stopwatch.StartNew();
        var refresh = sandbox.RefreshAsync(client, first.RefreshToken!);
        // While its answer is held back, the refresh token it was sent with is already used up.
        await Eventually.HoldsAsync(async () =>
        {
            using var introspection = await sandbox.IntrospectAsync(client, first.RefreshToken!);
            var (_, body) = await SandboxApi.ReadJsonAsync(introspection);
            return !body.GetProperty("active").GetBoolean();
        }, TimeSpan.FromSeconds(5), "the refresh token was not used up while the answer was held back");
        Assert.False(refresh.IsCompleted);

        using var answer = await refresh;
        Assert.NotNull((await SandboxApi.ReadTokensAsync(answer)).RefreshToken);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(2000), $"answered after {stopwatch.Elapsed}");
    }
}
