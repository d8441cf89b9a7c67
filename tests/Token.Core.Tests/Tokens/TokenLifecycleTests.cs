using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Core.Tests.Tokens;

[Collection(DatabaseCollection.Name)]
public sealed class TokenLifecycleTests(TokenServicesFixture fixture)
    : IClassFixture<TokenServicesFixture>, IAsyncLifetime
{
    private readonly LocalTokenEndpoint _provider = fixture.Provider;

    public Task InitializeAsync()
    {
        _provider.Reset();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_due_token_is_refreshed_once_and_its_new_version_due_time_and_event_are_stored()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1"));
        fixture.Time.Advance(TimeSpan.FromMinutes(55));

        var outcome = await RefreshAsync(clientId, force: false);

        Assert.Null(outcome.Error);
        Assert.Equal(1, _provider.CountOf("refresh_token"));
        Assert.Equal("refresh-0", _provider.Requests.Single()["refresh_token"]);
        var token = await fixture.TokenOfAsync(clientId);
        Assert.Equal(2, token.Version);
        Assert.Equal("access-1", AccessTokenOf(token));
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(55), token.RefreshDueAt);
        Assert.Null(token.LeaseOwner);
        Assert.Equal(["TokenIssued", "TokenRefreshed"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_token_that_is_not_due_is_left_alone_unless_the_refresh_is_forced()
    {
        var clientId = await fixture.CreateGrantAsync();

        await RefreshAsync(clientId, force: false);
        Assert.Equal(0, _provider.CountOf("refresh_token"));

        await RefreshAsync(clientId, force: true);
        Assert.Equal(1, _provider.CountOf("refresh_token"));
    }

    [Fact]
    public async Task A_new_refresh_token_replaces_the_old_one_and_an_answer_without_one_keeps_it()
    {
        var clientId = await fixture.CreateGrantAsync();

        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1", refreshToken: "refresh-1"));
        await RefreshAsync(clientId, force: true);
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));

        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-2"));
        await RefreshAsync(clientId, force: true);
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));
        Assert.Equal("refresh-1", _provider.Requests[^1]["refresh_token"]);
    }

    [Fact]
    public async Task Invalid_grant_requires_reauthorization_after_one_attempt_with_one_event_and_no_further_call()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(400, "invalid_grant"));

        var outcome = await RefreshAsync(clientId, force: true);
        await RefreshAsync(clientId, force: true);

        Assert.Equal("invalid_grant", outcome.Error?.Error);
        Assert.Equal(1, _provider.CountOf("refresh_token"));
        var token = await fixture.TokenOfAsync(clientId);
        Assert.False(token.IsValid);
        Assert.Equal("invalid_grant", token.LastError);
        Assert.Equal(["TokenIssued", "TokenReauthorizationRequired"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_passing_failure_keeps_the_grant_backs_off_and_the_third_in_a_row_is_announced_once()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(503, "temporarily_unavailable"));

        for (var failure = 1; failure <= 3; failure++)
        {
            await RefreshAsync(clientId, force: true);
            var token = await fixture.TokenOfAsync(clientId);
            Assert.True(token.IsValid);
            Assert.Equal(failure, token.FailureCount);
            var backoff = TimeSpan.FromSeconds(5 * Math.Pow(2, failure - 1));
            Assert.InRange(token.RefreshDueAt - fixture.Time.GetUtcNow(), backoff * 0.8, backoff * 1.2);
        }

        Assert.Equal("access-0", AccessTokenOf(await fixture.TokenOfAsync(clientId)));
        Assert.Equal(["TokenIssued", "TokenRefreshFailed"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task The_next_attempt_is_never_sooner_than_the_providers_Retry_After()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(429, "slow_down", TimeSpan.FromMinutes(10)));

        await RefreshAsync(clientId, force: true);

        var token = await fixture.TokenOfAsync(clientId);
        Assert.True(token.IsValid);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(10), token.RefreshDueAt);
    }

    [Fact]
    public async Task While_a_providers_circuit_is_open_no_call_goes_out_and_the_token_waits_for_it()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(502, "server_error"));
        for (var i = 0; i < TokenServicesFixture.Refresh.CircuitFailures; i++)
        {
            await RefreshAsync(clientId, force: true);
        }

        var outcome = await RefreshAsync(clientId, force: true);

        Assert.Equal("temporarily_unavailable", outcome.Error?.Error);
        Assert.Equal(TokenServicesFixture.Refresh.CircuitFailures, _provider.CountOf("refresh_token"));
        Assert.Equal(fixture.Time.GetUtcNow() + TokenServicesFixture.Refresh.CircuitOpen,
            (await fixture.TokenOfAsync(clientId)).RefreshDueAt);

        fixture.Time.Advance(TokenServicesFixture.Refresh.CircuitOpen);
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1"));
        Assert.Null((await RefreshAsync(clientId, force: true)).Error);
        Assert.Equal("access-1", AccessTokenOf(await fixture.TokenOfAsync(clientId)));
    }

    [Fact]
    public async Task A_refresh_whose_grant_changed_while_the_provider_answered_is_dropped()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = async _ =>
        {
            // Meanwhile the owner consents again elsewhere: the grant's version moves on.
            await using var scope = fixture.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens.Where(t => t.ClientId == clientId)
                .ExecuteUpdateAsync(token => token.SetProperty(t => t.Version, t => t.Version + 1));
            return LocalTokenEndpoint.Tokens("stale-answer");
        };

        var outcome = await RefreshAsync(clientId, force: true);

        var token = await fixture.TokenOfAsync(clientId);
        Assert.Equal(2, token.Version);
        Assert.Equal(2, outcome.Token?.Version);
        Assert.Equal("access-0", AccessTokenOf(token));
        Assert.Equal(["TokenIssued"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_caller_that_finds_the_lease_held_elsewhere_waits_for_that_refresh_and_gets_its_token()
    {
        var clientId = await fixture.CreateGrantAsync();
        await UpdateTokenAsync(clientId, token => token
            .SetProperty(t => t.LeaseOwner, "another-refresher")
            .SetProperty(t => t.LeaseUntil, fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(60)));

        var waiting = RefreshAsync(clientId, force: true);
        await AdvanceUntilAsync(() => _provider.CountOf("refresh_token") > 0 || waiting.IsCompleted,
            TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);

        // The other refresher stores its answer and lets go of the lease.
        await UpdateTokenAsync(clientId, token => token
            .SetProperty(t => t.Version, 2).SetProperty(t => t.LeaseOwner, (string?)null)
            .SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null));
        await AdvanceUntilAsync(() => waiting.IsCompleted, TimeSpan.FromSeconds(1));

        Assert.Equal(2, (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Token?.Version);
        Assert.Equal(0, _provider.CountOf("refresh_token"));
    }

    [Fact]
    public async Task A_grant_whose_provider_no_longer_exists_requires_reauthorization_without_a_call()
    {
        var clientId = await fixture.CreateGrantAsync();
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            var provider = await db.Clients.Where(c => c.Id == clientId).Select(c => c.Provider).SingleAsync();
            await db.Providers.Where(p => p.Name == provider).ExecuteDeleteAsync();
        }

        var outcome = await RefreshAsync(clientId, force: true);

        Assert.Equal("invalid_grant", outcome.Error?.Error);
        Assert.Empty(_provider.Requests);
        Assert.False((await fixture.TokenOfAsync(clientId)).IsValid);
    }

    [Fact]
    public async Task Revocation_revokes_both_tokens_at_the_provider_and_is_announced()
    {
        var clientId = await fixture.CreateGrantAsync(ProviderDefinition.ClientSecretBasic);

        bool? confirmed;
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            confirmed = await scope.ServiceProvider.GetRequiredService<TokenLifecycle>()
                .RevokeAsync(clientId, CancellationToken.None);
        }

        Assert.True(confirmed);
        Assert.Equal(["access-0", "refresh-0"], _provider.Requests.Select(r => r["token"]));
        Assert.All(_provider.Requests, request => Assert.StartsWith("Basic ", request.Authorization));
        Assert.All(_provider.Requests, request => Assert.Null(request["client_secret"]));
        var token = await fixture.TokenOfAsync(clientId);
        Assert.True(token.IsRevoked);
        Assert.False(token.IsValid);
        Assert.Equal(["TokenIssued", "TokenRevoked"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task Revoking_a_client_without_a_grant_says_so()
    {
        var clientId = await fixture.CreateClientAsync();

        await using var scope = fixture.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<TokenLifecycle>()
            .RevokeAsync(clientId, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_consent_replaces_a_dead_grant_and_starts_it_afresh()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(400, "invalid_grant"));
        await RefreshAsync(clientId, force: true);

        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GrantStore>().StoreIssuedAsync(
                clientId, new ProviderTokens("access-new", "Bearer", TimeSpan.FromHours(1), "refresh-new", null),
                CancellationToken.None);
        }

        var token = await fixture.TokenOfAsync(clientId);
        Assert.True(token.IsValid);
        Assert.Null(token.LastError);
        Assert.Equal(3, token.Version);
        Assert.Equal("refresh-new", await fixture.RefreshTokenOfAsync(clientId));
        Assert.Equal(["TokenIssued", "TokenReauthorizationRequired", "TokenIssued"],
            await fixture.EventsOfAsync(clientId));
    }

    private async Task<RefreshOutcome> RefreshAsync(int clientId, bool force)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenLifecycle>().RefreshAsync(
            clientId, force, force ? RefreshTrigger.Manual : RefreshTrigger.OnDemand, CancellationToken.None);
    }

    private string AccessTokenOf(OAuthToken token) =>
        fixture.Services.GetRequiredService<SecretProtector>()
            .Unprotect(token.AccessToken, SecretContext.AccessToken(token.ClientId));

    private async Task UpdateTokenAsync(
        int clientId, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<OAuthToken>> setters)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens.Where(t => t.ClientId == clientId)
            .ExecuteUpdateAsync(setters);
    }

    /// <summary>
    /// Moves the fake clock in small steps (the lifecycle polls on it) until the condition holds, bounded.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan fakeTimeLimit)
    {
        var limit = fixture.Time.GetUtcNow() + fakeTimeLimit;
        while (!condition() && fixture.Time.GetUtcNow() < limit)
        {
            fixture.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
