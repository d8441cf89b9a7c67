using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Token.Core.Data;
using Token.Core.Tokens;

namespace Token.Core.Tests.Tokens;

/// <summary>Claims of due tokens by several refreshers, each a <see cref="RefreshLeases"/> of its own.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class RefreshLeasesTests(TokenServicesFixture fixture) : IClassFixture<TokenServicesFixture>
{
    [Fact]
    public async Task Two_refreshers_never_claim_the_same_due_token_and_a_lease_that_ran_out_is_taken_over()
    {
        var clients = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            clients.Add(await fixture.CreateGrantAsync());
        }
        fixture.Time.Advance(TimeSpan.FromMinutes(56));
        var first = NewRefresher();
        var second = NewRefresher();

        var claimedByFirst = await ClaimAsync(first, limit: 3);
        var claimedBySecond = await ClaimAsync(second, limit: 10);
        var claimedAgain = await ClaimAsync(first, limit: 10);

        Assert.Equal(3, claimedByFirst.Count);
        Assert.Equal(2, claimedBySecond.Count);
        Assert.Empty(claimedByFirst.Intersect(claimedBySecond));
        Assert.Empty(claimedAgain);

        fixture.Time.Advance(TokenServicesFixture.Refresh.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(5, (await ClaimAsync(second, limit: 10)).Count);
    }

    [Fact]
    public async Task A_holder_that_died_after_sending_and_then_its_successor_are_each_replaced_within_the_grace_period()
    {
        var clientId = await fixture.CreateGrantAsync();
        fixture.Time.Advance(TimeSpan.FromMinutes(56));
        var dead = NewRefresher();
        var successor = NewRefresher();
        var tokenId = (await fixture.TokenOfAsync(clientId)).Id;
        try
        {
            var attempted = await ReplacedAfterTheAttemptLeaseAsync(dead, successor, clientId, tokenId);

            // The successor dies too, while it waits for the holder's write (before it asks): the next one takes over
            // after the short claim of an interrupted refresh, and asks still inside a 30 s grace period.
            var third = NewRefresher();
            fixture.Time.Advance(RefreshLeases.InterruptedClaimLease - TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(tokenId, await ClaimInterruptedAsync(third, limit: 10_000));
            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            Assert.Contains(tokenId, await ClaimInterruptedAsync(third, limit: 10_000));
            Assert.InRange(fixture.Time.GetUtcNow() + TokenLifecycle.InterruptedSettle - attempted,
                TimeSpan.Zero, TimeSpan.FromSeconds(28));
        }
        finally
        {
            await DeleteClientAsync(clientId);
        }
    }

    [Fact]
    public async Task A_living_holder_keeps_its_attempt_past_the_attempt_lease_and_is_replaced_soon_after_it_stops_renewing()
    {
        var clientId = await fixture.CreateGrantAsync();
        fixture.Time.Advance(TimeSpan.FromMinutes(56));
        var holder = NewRefresher();
        var successor = NewRefresher();
        var tokenId = (await fixture.TokenOfAsync(clientId)).Id;
        try
        {
            Assert.Contains(tokenId, await ClaimAsync(holder, limit: 10_000));
            await using var scope = fixture.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            Assert.True(await holder.BeginAttemptAsync(
                db, await db.Tokens.SingleAsync(t => t.Id == tokenId), CancellationToken.None));
            var attempt = holder.HoldAttempt(tokenId);

            // The provider takes twice the attempt lease to answer; the holder lives and renews every second.
            await RenewForAsync(holder, db, RefreshLeases.AttemptLease * 2);
            Assert.DoesNotContain(tokenId, await ClaimInterruptedAsync(successor, limit: 10_000));

            // Its attempt ends without a write (given up, or the process about to die): renewals stop, and a successor
            // takes it over one attempt lease after the last, as after a holder that died.
            attempt.Dispose();
            await RenewForAsync(holder, db, RefreshLeases.AttemptLease - TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(tokenId, await ClaimInterruptedAsync(successor, limit: 10_000));
            await RenewForAsync(holder, db, TimeSpan.FromSeconds(2));
            Assert.Contains(tokenId, await ClaimInterruptedAsync(successor, limit: 10_000));

            // A holder that renews again (the database was away longer than its lease) leaves the successor's claim alone.
            using var again = holder.HoldAttempt(tokenId);
            var claimed = await fixture.TokenOfAsync(clientId);
            await RenewForAsync(holder, db, RefreshLeases.AttemptRenewal);
            var after = await fixture.TokenOfAsync(clientId);
            Assert.Equal((successor.Owner, claimed.LeaseUntil), (after.LeaseOwner, after.LeaseUntil));
        }
        finally
        {
            await DeleteClientAsync(clientId);
        }
    }

    /// <summary>As the renewal loop does: every <see cref="RefreshLeases.AttemptRenewal"/>, for that long.</summary>
    private async Task RenewForAsync(RefreshLeases holder, TokenDbContext db, TimeSpan duration)
    {
        for (var renewed = TimeSpan.Zero; renewed < duration; renewed += RefreshLeases.AttemptRenewal)
        {
            fixture.Time.Advance(RefreshLeases.AttemptRenewal);
            await holder.RenewAttemptsAsync(db, CancellationToken.None);
        }
    }

    /// <summary>When the dead holder's attempt was recorded.</summary>
    private async Task<DateTimeOffset> ReplacedAfterTheAttemptLeaseAsync(
        RefreshLeases dead, RefreshLeases successor, int clientId, int tokenId)
    {
        Assert.Contains(tokenId, await ClaimAsync(dead, limit: 10_000));

        // It records the attempt, sends the refresh token, and dies before the answer is stored.
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            var token = await db.Tokens.SingleAsync(t => t.Id == tokenId);
            Assert.True(await dead.BeginAttemptAsync(db, token, CancellationToken.None));
        }
        var attempted = fixture.Time.GetUtcNow();
        Assert.Equal(attempted, (await fixture.TokenOfAsync(clientId)).RefreshAttemptedAt);

        // Well within a claim's lease (60 s): a provider's reuse grace period (Okta's default: 30 s) is still open.
        Assert.True(RefreshLeases.AttemptLease < TimeSpan.FromSeconds(30));
        fixture.Time.Advance(RefreshLeases.AttemptLease - TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(tokenId, await ClaimInterruptedAsync(successor, limit: 10_000));
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains(tokenId, await ClaimInterruptedAsync(successor, limit: 10_000));
        // What the successor finds tells it the last attempt was interrupted.
        Assert.Equal(attempted, (await fixture.TokenOfAsync(clientId)).RefreshAttemptedAt);
        return attempted;
    }

    [Fact]
    public async Task Interrupted_refreshes_are_claimed_apart_from_due_tokens_the_oldest_attempt_first()
    {
        var due = await fixture.CreateGrantAsync();
        var older = await fixture.CreateGrantAsync();
        var newer = await fixture.CreateGrantAsync();
        try
        {
            fixture.Time.Advance(TimeSpan.FromMinutes(56));
            // Their holders died after sending the refresh tokens, 25 s and 20 s ago.
            await InterruptAsync(older, TimeSpan.FromSeconds(25));
            await InterruptAsync(newer, TimeSpan.FromSeconds(20));
            var ids = new[] { due, older, newer }.Select(async c => (await fixture.TokenOfAsync(c)).Id).ToArray();
            var (dueId, olderId, newerId) = (await ids[0], await ids[1], await ids[2]);

            // A backlog of due tokens never holds them: the due claim leaves them to the claim of interrupted ones.
            var claimedDue = await ClaimAsync(NewRefresher(), limit: 10_000);
            Assert.Contains(dueId, claimedDue);
            Assert.DoesNotContain(olderId, claimedDue);
            Assert.DoesNotContain(newerId, claimedDue);

            var successor = NewRefresher();
            Assert.Equal([olderId], await ClaimInterruptedAsync(successor, limit: 1));
            Assert.Equal([newerId], await ClaimInterruptedAsync(successor, limit: 10_000));
        }
        finally
        {
            await DeleteClientAsync(due);
            await DeleteClientAsync(older);
            await DeleteClientAsync(newer);
        }
    }

    private async Task InterruptAsync(int clientId, TimeSpan sentAgo)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var now = fixture.Time.GetUtcNow();
        await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens
            .Where(t => t.ClientId == clientId)
            .ExecuteUpdateAsync(t => t
                .SetProperty(x => x.RefreshAttemptedAt, now - sentAgo)
                .SetProperty(x => x.LeaseOwner, "dead/1/refresher")
                .SetProperty(x => x.LeaseUntil, now - sentAgo + RefreshLeases.AttemptLease));
    }

    [Fact]
    public async Task A_token_that_is_not_due_or_no_longer_valid_is_never_claimed()
    {
        var notDue = await fixture.CreateGrantAsync();
        var refresher = NewRefresher();
        var token = await fixture.TokenOfAsync(notDue);
        var tokenId = token.Id;

        Assert.DoesNotContain(tokenId, await ClaimAsync(refresher, limit: 100));

        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            await db.Tokens.Where(t => t.Id == tokenId).ExecuteUpdateAsync(t => t.SetProperty(x => x.IsValid, false));
            Assert.False(await refresher.TryClaimAsync(db, token, CancellationToken.None));
        }
        fixture.Time.Advance(TimeSpan.FromHours(2));
        Assert.DoesNotContain(tokenId, await ClaimAsync(refresher, limit: 100));
    }

    [Fact]
    public async Task A_due_token_of_a_deactivated_client_is_not_claimed_until_the_client_is_active_again()
    {
        var clientId = await fixture.CreateGrantAsync();
        var tokenId = (await fixture.TokenOfAsync(clientId)).Id;
        var refresher = NewRefresher();
        await SetActiveAsync(clientId, false);
        fixture.Time.Advance(TimeSpan.FromHours(2));
        try
        {
            await ClaimsOnlyWhileActiveAsync(refresher, clientId, tokenId);
        }
        finally
        {
            await DeleteClientAsync(clientId);
        }
    }

    /// <summary>Gone, so that the other tests of the class, which count what they claim, never meet it due.</summary>
    private async Task DeleteClientAsync(int clientId)
    {
        await using var cleanup = fixture.Services.CreateAsyncScope();
        await cleanup.ServiceProvider.GetRequiredService<TokenDbContext>().Clients.Where(c => c.Id == clientId)
            .ExecuteDeleteAsync();
    }

    private async Task ClaimsOnlyWhileActiveAsync(RefreshLeases refresher, int clientId, int tokenId)
    {
        Assert.DoesNotContain(tokenId, await ClaimAsync(refresher, limit: 10_000));
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            Assert.False(await refresher.TryClaimAsync(
                scope.ServiceProvider.GetRequiredService<TokenDbContext>(), await fixture.TokenOfAsync(clientId),
                CancellationToken.None));
        }

        // The refresh that fell due meanwhile runs as soon as the client is active again.
        await SetActiveAsync(clientId, true);
        Assert.Contains(tokenId, await ClaimAsync(refresher, limit: 10_000));
    }

    private async Task SetActiveAsync(int clientId, bool isActive)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Clients.Where(c => c.Id == clientId)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.IsActive, isActive));
    }

    private RefreshLeases NewRefresher() => new(Options.Create(TokenServicesFixture.Refresh), fixture.Time);

    private async Task<List<int>> ClaimAsync(RefreshLeases refresher, int limit)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await refresher.ClaimDueAsync(scope.ServiceProvider.GetRequiredService<TokenDbContext>(), limit,
            CancellationToken.None);
    }

    private async Task<List<int>> ClaimInterruptedAsync(RefreshLeases refresher, int limit)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        return await refresher.ClaimInterruptedAsync(scope.ServiceProvider.GetRequiredService<TokenDbContext>(),
            limit, CancellationToken.None);
    }
}
