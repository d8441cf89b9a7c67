using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Token.Contracts;
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

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    [InlineData(408)]
    [InlineData(400)]
    public async Task Any_other_4xx_such_as_a_WAF_page_keeps_the_grant_and_backs_off(int status)
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Page(status));

        var outcome = await RefreshAsync(clientId, force: true);

        Assert.Equal($"http_{status}", outcome.Error?.Error);
        var token = await fixture.TokenOfAsync(clientId);
        Assert.True(token.IsValid);
        Assert.Null(token.RefreshPausedReason);
        Assert.Equal("refresh-0", await fixture.RefreshTokenOfAsync(clientId));
        Assert.Equal((1, $"http_{status}"), (token.FailureCount, token.LastError));
        Assert.InRange(token.RefreshDueAt - fixture.Time.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.Equal(["TokenIssued"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_4xx_without_a_known_code_counts_towards_the_providers_circuit_as_an_outage_does()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Page(404));
        for (var i = 0; i < TokenServicesFixture.Refresh.CircuitFailures; i++)
        {
            await RefreshAsync(clientId, force: true);
        }

        var outcome = await RefreshAsync(clientId, force: true);

        Assert.Equal("temporarily_unavailable", outcome.Error?.Error);
        Assert.Equal(TokenServicesFixture.Refresh.CircuitFailures, _provider.CountOf("refresh_token"));
    }

    [Fact]
    public async Task A_Retry_After_of_ten_days_is_capped_to_an_hour()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(429, "slow_down", TimeSpan.FromDays(10)));

        await RefreshAsync(clientId, force: true);

        Assert.Equal(
            fixture.Time.GetUtcNow() + TimeSpan.FromHours(1), (await fixture.TokenOfAsync(clientId)).RefreshDueAt);
    }

    [Fact]
    public async Task A_Retry_After_date_in_the_past_leaves_the_ordinary_backoff()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(503, "temporarily_unavailable",
            DateTimeOffset.UtcNow.AddDays(-1).ToString("R")));

        await RefreshAsync(clientId, force: true);

        var token = await fixture.TokenOfAsync(clientId);
        Assert.Equal(1, token.FailureCount);
        Assert.InRange(token.RefreshDueAt - fixture.Time.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
    }

    [Theory]
    [InlineData("0", 5, 2.5)]
    [InlineData("-5", 5, 2.5)]
    [InlineData("1e18", 365 * 86400, 7 * 86400)]
    [InlineData("\"abc\"", 3600, 3300)]
    public async Task An_absurd_expires_in_is_stored_clamped_and_the_token_is_due_before_it_expires(
        string expiresIn, int lifetime, double dueAfter)
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(Microsoft.AspNetCore.Http.Results.Text(
            $$"""{"access_token":"access-1","expires_in":{{expiresIn}}}""", "application/json"));

        var outcome = await RefreshAsync(clientId, force: true);

        Assert.Null(outcome.Error);
        var token = await fixture.TokenOfAsync(clientId);
        var now = fixture.Time.GetUtcNow();
        // Half a short lifetime, the buffer before a usual one's end, the keep-alive for a long one.
        Assert.Equal((now + TimeSpan.FromSeconds(lifetime), now + TimeSpan.FromSeconds(dueAfter)),
            (token.ExpiresAt, token.RefreshDueAt));
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
    public async Task An_interrupted_refresh_is_tried_even_while_the_providers_circuit_is_open()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(502, "server_error"));
        for (var i = 0; i < TokenServicesFixture.Refresh.CircuitFailures; i++)
        {
            await RefreshAsync(clientId, force: true);
        }
        // A holder sent the refresh token and died: the provider's grace period for it is running.
        await UpdateTokenAsync(clientId, t => t.SetProperty(x => x.RefreshAttemptedAt, fixture.Time.GetUtcNow()));
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1", refreshToken: "refresh-1"));

        var refresh = RefreshAsync(clientId, force: true);
        await AdvanceUntilAsync(() => refresh.IsCompleted, TokenLifecycle.InterruptedSettle * 2);

        Assert.Null((await refresh).Error);
        Assert.Equal(TokenServicesFixture.Refresh.CircuitFailures + 1, _provider.CountOf("refresh_token"));
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));
    }

    [Fact]
    public async Task An_interrupted_refresh_that_meets_a_failing_provider_asks_again_within_the_grace_period()
    {
        var clientId = await fixture.CreateGrantAsync();
        // A holder sent the refresh token and died; the provider is down for a while now.
        await UpdateTokenAsync(clientId, t => t.SetProperty(x => x.RefreshAttemptedAt, fixture.Time.GetUtcNow()));
        var failures = 0;
        _provider.Answer = _ => Task.FromResult(++failures <= 3
            ? LocalTokenEndpoint.Error(503, "temporarily_unavailable")
            : LocalTokenEndpoint.Tokens("access-1", refreshToken: "refresh-1"));

        var started = fixture.Time.GetUtcNow();
        var refresh = RefreshAsync(clientId, force: true);
        await AdvanceUntilAsync(() => refresh.IsCompleted, TimeSpan.FromSeconds(30));

        // Not postponed by a backoff past the grace period: asked again every second until the provider answered.
        Assert.InRange(fixture.Time.GetUtcNow() - started, TimeSpan.Zero,
            TokenLifecycle.InterruptedSettle + TimeSpan.FromSeconds(3.5));
        Assert.Null((await refresh).Error);
        Assert.Equal(4, _provider.CountOf("refresh_token"));
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));
        Assert.Null((await fixture.TokenOfAsync(clientId)).RefreshAttemptedAt);
    }

    [Fact]
    public async Task An_interrupted_refresh_taken_up_by_a_caller_that_goes_away_is_carried_through()
    {
        var clientId = await fixture.CreateGrantAsync();
        // A holder sent the refresh token and died; a validate caller takes the token up and gives up while waiting.
        await UpdateTokenAsync(clientId, t => t.SetProperty(x => x.RefreshAttemptedAt, fixture.Time.GetUtcNow()));
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1", refreshToken: "refresh-1"));
        using var impatient = new CancellationTokenSource();

        var refresh = RefreshAsync(clientId, force: true, impatient.Token);
        await Eventually.HoldsAsync(async () => (await fixture.TokenOfAsync(clientId)).LeaseOwner is not null,
            TimeSpan.FromSeconds(10), "the refresh did not claim the token");
        // A short claim, as the refresher's: should this process die while it waits, another takes over in time.
        Assert.InRange((await fixture.TokenOfAsync(clientId)).LeaseUntil!.Value - fixture.Time.GetUtcNow(),
            TimeSpan.Zero, RefreshLeases.InterruptedClaimLease);
        await impatient.CancelAsync();
        await AdvanceUntilAsync(() => refresh.IsCompleted, TokenLifecycle.InterruptedSettle * 2);

        Assert.Null((await refresh).Error);
        Assert.Equal(1, _provider.CountOf("refresh_token"));
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));
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
                clientId, new ProviderTokens("access-new", "Bearer", TimeSpan.FromHours(1), "refresh-new", null,
                    fixture.Time.GetUtcNow()),
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

    // invalid_client and unauthorized_client refuse the client's own credentials, not the grant: the grant is kept
    // and its refresh waits for a new secret.

    [Theory]
    [InlineData(401, ProviderError.InvalidClient)]
    [InlineData(400, ProviderError.UnauthorizedClient)]
    public async Task A_refused_client_keeps_its_grant_and_its_refresh_waits_for_a_new_secret(int status, string code)
    {
        var clientId = await fixture.CreateGrantAsync();
        var tokenId = (await fixture.TokenOfAsync(clientId)).Id;
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(status, code));
        using var outcomes = RefreshOutcomes.Listen(await ProviderOfAsync(clientId));

        var refused = await RefreshAsync(clientId, force: true);

        Assert.Equal(code, refused.Error?.Error);
        var paused = await fixture.TokenOfAsync(clientId);
        Assert.Equal((true, false, code), (paused.IsValid, paused.IsRevoked, paused.RefreshPausedReason));
        Assert.Equal("refresh-0", await fixture.RefreshTokenOfAsync(clientId));
        Assert.Equal(["paused"], outcomes.Recorded);
        var announced = await RefreshFailedEventAsync(clientId);
        Assert.Equal((code, true, DateTimeOffset.MaxValue),
            (announced.Error, announced.Paused, announced.NextAttemptAt));

        // Long after the token expired: nothing asks the provider, neither on demand, nor forced, nor on schedule.
        fixture.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(code, (await RefreshAsync(clientId, force: true)).Error?.Error);
        Assert.Equal(code, (await RefreshAsync(clientId, force: false)).Error?.Error);
        Assert.DoesNotContain(tokenId, await ClaimDueAsync());
        Assert.Equal(1, _provider.CountOf("refresh_token"));
        Assert.Equal(["TokenIssued", "TokenRefreshFailed"], await fixture.EventsOfAsync(clientId));

        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1"));
        await ChangeSecretAsync(clientId, "new-secret");

        Assert.Contains(tokenId, await ClaimDueAsync());
        Assert.Null((await RefreshClaimedAsync(tokenId)).Error);
        Assert.Equal("new-secret", _provider.Requests[^1]["client_secret"]);
        var resumed = await fixture.TokenOfAsync(clientId);
        Assert.Equal((null, 0), (resumed.RefreshPausedReason, resumed.FailureCount));
        Assert.Equal(["TokenIssued", "TokenRefreshFailed", "TokenRefreshed"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_refusal_of_a_secret_replaced_while_the_provider_answered_is_a_passing_failure()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = async _ =>
        {
            // The admin's PATCH lands while the provider is refusing the old secret.
            await ChangeSecretAsync(clientId, "new-secret");
            return LocalTokenEndpoint.Error(401, ProviderError.InvalidClient);
        };

        await RefreshAsync(clientId, force: true);

        var token = await fixture.TokenOfAsync(clientId);
        Assert.Null(token.RefreshPausedReason);
        Assert.Equal(1, token.FailureCount);
        Assert.InRange(token.RefreshDueAt - fixture.Time.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.Equal(["TokenIssued"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_new_consent_ends_the_pause()
    {
        var clientId = await fixture.CreateGrantAsync();
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(401, ProviderError.InvalidClient));
        await RefreshAsync(clientId, force: true);

        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GrantStore>().StoreIssuedAsync(
                clientId, new ProviderTokens("access-new", "Bearer", TimeSpan.FromHours(1), "refresh-new", null,
                    fixture.Time.GetUtcNow()),
                CancellationToken.None);
        }

        Assert.Null((await fixture.TokenOfAsync(clientId)).RefreshPausedReason);
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("access-1"));
        Assert.Null((await RefreshAsync(clientId, force: true)).Error);
        Assert.Equal(2, _provider.CountOf("refresh_token"));
    }

    [Fact]
    public async Task The_expiry_counts_from_when_the_request_was_sent_however_long_the_answer_takes()
    {
        var clientId = await fixture.CreateGrantAsync();
        var sentAt = fixture.Time.GetUtcNow();
        _provider.Answer = _ =>
        {
            // The provider takes 5 s to answer: its token has lived 5 s of its hour when it arrives.
            fixture.Time.Advance(TimeSpan.FromSeconds(5));
            return Task.FromResult(LocalTokenEndpoint.Tokens("access-1", expiresIn: 3600));
        };

        Assert.Null((await RefreshAsync(clientId, force: true)).Error);

        Assert.Equal(sentAt + TimeSpan.FromHours(1), (await fixture.TokenOfAsync(clientId)).ExpiresAt);
    }

    [Fact]
    public async Task An_answer_the_database_could_not_take_is_stored_when_it_is_back_with_its_rotated_refresh_token()
    {
        var clientId = await fixture.CreateGrantAsync();
        IAsyncDisposable? away = null;
        _provider.Answer = async _ =>
        {
            // The provider rotates the refresh token, and the database goes away before the answer is stored.
            away = await fixture.TakeDatabaseAwayAsync();
            return LocalTokenEndpoint.Tokens("access-1", refreshToken: "refresh-1");
        };
        using var retries = new CounterTags(fixture.Services, "token.refresh.store_retries", "provider");

        var refresh = RefreshAsync(clientId, force: true);
        await Eventually.HoldsAsync(
            () => Task.FromResult(retries.Values.Length > 0 || refresh.IsCompleted), TimeSpan.FromSeconds(15),
            "the write-back never failed");
        await away!.DisposeAsync();
        await AdvanceUntilAsync(() => refresh.IsCompleted, TimeSpan.FromSeconds(30));

        Assert.Null((await refresh).Error);
        Assert.Equal("refresh-1", await fixture.RefreshTokenOfAsync(clientId));
        var token = await fixture.TokenOfAsync(clientId);
        Assert.Equal(2, token.Version);
        Assert.Null(token.LeaseOwner);
        Assert.Null(token.RefreshAttemptedAt);
        Assert.Equal(["TokenIssued", "TokenRefreshed"], await fixture.EventsOfAsync(clientId));
    }

    [Fact]
    public async Task A_successor_of_an_interrupted_refresh_leaves_the_provider_alone_when_its_holder_stores_meanwhile()
    {
        var clientId = await fixture.CreateGrantAsync();
        // A holder sent the refresh token and has not stored the answer yet (it waits for the database); its lease ran
        // out, and this process claims the token.
        await UpdateTokenAsync(clientId, t => t.SetProperty(x => x.RefreshAttemptedAt, fixture.Time.GetUtcNow()));
        var token = await fixture.TokenOfAsync(clientId);
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<RefreshLeases>().TryClaimAsync(
                scope.ServiceProvider.GetRequiredService<TokenDbContext>(), token, CancellationToken.None));
        }
        using var interrupted = new CounterTags(fixture.Services, "token.refresh.interrupted", "provider");

        var successor = RefreshClaimedAsync(token.Id);
        await Eventually.HoldsAsync(() => Task.FromResult(interrupted.Values.Length > 0 || successor.IsCompleted),
            TimeSpan.FromSeconds(10), "the successor did not find the interrupted refresh");
        // The holder stores its answer while the successor waits.
        await UpdateTokenAsync(clientId, t => t
            .SetProperty(x => x.Version, x => x.Version + 1).SetProperty(x => x.RefreshAttemptedAt, (DateTimeOffset?)null));
        await AdvanceUntilAsync(() => successor.IsCompleted, TokenLifecycle.InterruptedSettle * 2);

        Assert.Equal(0, _provider.CountOf("refresh_token"));
        Assert.Equal(token.Version + 1, (await successor).Token!.Version);
    }

    private async Task<RefreshOutcome> RefreshAsync(
        int clientId, bool force, CancellationToken ct = default)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenLifecycle>().RefreshAsync(
            clientId, force, force ? RefreshTrigger.Manual : RefreshTrigger.OnDemand, ct);
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

    /// <summary>What the refresher does on schedule: claims every due token (the ids it claimed)...</summary>
    private async Task<List<int>> ClaimDueAsync()
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RefreshLeases>().ClaimDueAsync(
            scope.ServiceProvider.GetRequiredService<TokenDbContext>(), 10_000, CancellationToken.None);
    }

    /// <summary>... and refreshes each.</summary>
    private async Task<RefreshOutcome> RefreshClaimedAsync(int tokenId)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenLifecycle>().RefreshClaimedAsync(
            tokenId, RefreshTrigger.Scheduled, CancellationToken.None);
    }

    /// <summary>What <c>PATCH /clients/{id}</c> with a <c>client_secret</c> does.</summary>
    private async Task ChangeSecretAsync(int clientId, string secret)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var client = await db.Clients.SingleAsync(c => c.Id == clientId);
        client.ClientSecret = scope.ServiceProvider.GetRequiredService<SecretProtector>()
            .Protect(secret, SecretContext.ClientSecret(client.ClientId));
        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<TokenLifecycle>()
            .ResumeRefreshAsync(clientId, CancellationToken.None);
    }

    private async Task<string> ProviderOfAsync(int clientId)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Clients
            .Where(c => c.Id == clientId).Select(c => c.Provider).SingleAsync();
    }

    private async Task<TokenRefreshFailed> RefreshFailedEventAsync(int clientId)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var payloads = await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Outbox.AsNoTracking()
            .Where(m => m.MessageType == typeof(TokenRefreshFailed).FullName)
            .Select(m => m.Payload).ToListAsync();
        return payloads
            .Select(payload => JsonSerializer.Deserialize<TokenRefreshFailed>(
                payload, JsonSerializerOptions.Web)!)
            .Single(message => message.ClientId == clientId);
    }

    /// <summary>The outcome tags of <c>token.refreshes</c> for one provider, while listening.</summary>
    private sealed class RefreshOutcomes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<string> _recorded = [];

        public IReadOnlyList<string> Recorded
        {
            get
            {
                lock (_recorded)
                {
                    return [.. _recorded];
                }
            }
        }

        public static RefreshOutcomes Listen(string provider)
        {
            var outcomes = new RefreshOutcomes();
            outcomes._listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument is { Name: "token.refreshes", Meter.Name: RefreshMetrics.MeterName })
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            outcomes._listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                var tagged = tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value as string);
                if (tagged.GetValueOrDefault("provider") == provider)
                {
                    lock (outcomes._recorded)
                    {
                        outcomes._recorded.Add(tagged["outcome"]!);
                    }
                }
            });
            outcomes._listener.Start();
            return outcomes;
        }

        public void Dispose() => _listener.Dispose();
    }
}
