using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Core.Data;

namespace Token.Core.Tokens;

/// <summary>
/// Claims on tokens, so that one process at a time calls the provider for a token. A claim is a lease in the token's
/// row (owner, until): it is taken by one UPDATE, no lock is held while the provider answers, and a crashed owner's
/// lease simply runs out. Once the provider is asked the lease is short and its holder renews it while it lives.
/// </summary>
public sealed class RefreshLeases(IOptions<RefreshOptions> options, TimeProvider time)
{
    /// <summary>
    /// The lease once the provider is asked, renewed every <see cref="AttemptRenewal"/> while the holder lives
    /// (<see cref="HoldAttempt"/>): a holder that dies in the call or while it stores the answer is replaced this long
    /// after its last renewal, not after a whole <see cref="RefreshOptions.Lease"/> or the call's timeout, so that its
    /// successor asks again well within the reuse grace period of providers that rotate refresh tokens with one
    /// (Okta's default is 30 s).
    /// </summary>
    public static readonly TimeSpan AttemptLease = TimeSpan.FromSeconds(6);

    /// <summary>How often a living holder renews the leases of its attempts: several renewals fit in one lease.</summary>
    public static readonly TimeSpan AttemptRenewal = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The claim of an interrupted refresh, until its attempt begins: the successor's wait for the holder's write
    /// (<see cref="TokenLifecycle.InterruptedSettle"/>) and a margin. A successor that dies in that wait is replaced
    /// after this, inside the provider's grace period, not after a whole <see cref="RefreshOptions.Lease"/> (the long
    /// chaos run lost grants whose successor was killed while it waited).
    /// </summary>
    public static readonly TimeSpan InterruptedClaimLease = TokenLifecycle.InterruptedSettle + TimeSpan.FromSeconds(3);

    /// <summary>This process, as it appears in <c>tokens.lease_owner</c>.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>The tokens whose attempt this process holds, and how many holds each has.</summary>
    private readonly ConcurrentDictionary<int, int> _attempts = new();

    /// <summary>
    /// Claims one client's token as it was read: not when it changed since (another process refreshed it: that is the
    /// answer), another process holds it, its refresh is paused or its client is deactivated.
    /// </summary>
    public async Task<bool> TryClaimAsync(TokenDbContext db, OAuthToken read, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + (read.RefreshAttemptedAt is null ? options.Value.Lease : InterruptedClaimLease);
        var claimed = await db.Tokens
            .Where(t => t.Id == read.Id && t.Version == read.Version
                && t.IsValid && !t.IsRevoked && t.RefreshPausedReason == null
                && (t.LeaseUntil == null || t.LeaseUntil < now)
                && db.Clients.Any(c => c.Id == t.ClientId && c.IsActive))
            .ExecuteUpdateAsync(
                token => token.SetProperty(t => t.LeaseOwner, Owner).SetProperty(t => t.LeaseUntil, until), ct);
        return claimed == 1;
    }

    /// <summary>
    /// Records, just before the refresh token is sent, that it is (<c>refresh_attempted_at</c>), and shortens the lease
    /// to <see cref="AttemptLease"/>. The tracked <paramref name="token"/> takes both values as stored. False when this
    /// process no longer holds the lease of the version it read.
    /// </summary>
    public async Task<bool> BeginAttemptAsync(TokenDbContext db, OAuthToken token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + AttemptLease;
        var recorded = await db.Tokens
            .Where(t => t.Id == token.Id && t.Version == token.Version && t.LeaseOwner == Owner)
            .ExecuteUpdateAsync(
                t => t.SetProperty(x => x.LeaseUntil, until).SetProperty(x => x.RefreshAttemptedAt, now), ct);
        if (recorded == 0)
        {
            return false;
        }
        var entry = db.Entry(token);
        entry.Property(t => t.LeaseUntil).OriginalValue = token.LeaseUntil = until;
        entry.Property(t => t.RefreshAttemptedAt).OriginalValue = token.RefreshAttemptedAt = now;
        return true;
    }

    /// <summary>
    /// Keeps the lease of a token's attempt renewed (<see cref="RenewAttemptsAsync"/>) until the result is disposed:
    /// from when its attempt began until its answer is stored or given up.
    /// </summary>
    public IDisposable HoldAttempt(int tokenId)
    {
        _attempts.AddOrUpdate(tokenId, 1, (_, holds) => holds + 1);
        return new AttemptHold(this, tokenId);
    }

    /// <summary>How many tokens' attempts this process holds.</summary>
    public int AttemptsHeld => _attempts.Count;

    /// <summary>
    /// Renews the leases of the attempts this process holds, by one UPDATE; nothing when it holds none. A lease another
    /// process took over meanwhile (this one could not renew it in time: the database was away) stays theirs.
    /// </summary>
    public async Task RenewAttemptsAsync(TokenDbContext db, CancellationToken ct)
    {
        var held = _attempts.Keys.ToArray();
        if (held.Length == 0)
        {
            return;
        }
        var until = time.GetUtcNow() + AttemptLease;
        await db.Tokens
            .Where(t => held.Contains(t.Id) && t.LeaseOwner == Owner && t.RefreshAttemptedAt != null)
            .ExecuteUpdateAsync(token => token.SetProperty(t => t.LeaseUntil, until), ct);
    }

    private sealed class AttemptHold(RefreshLeases leases, int tokenId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0
                && leases._attempts.AddOrUpdate(tokenId, 0, (_, holds) => holds - 1) == 0)
            {
                leases._attempts.TryRemove(new KeyValuePair<int, int>(tokenId, 0));
            }
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due tokens, the earliest due first, that no refresh was sent for (those
    /// whose refresh was interrupted are <see cref="ClaimInterruptedAsync"/>'s). Rows another refresher is claiming at
    /// this moment are skipped, not waited for, so refreshers never claim the same token. Tokens of deactivated clients
    /// are skipped too, by a primary-key look-up of the client: they stay in the due index, since deactivation is
    /// rare and undone by re-activation, which then finds a refresh that fell due meanwhile due at once.
    /// </summary>
    public async Task<List<int>> ClaimDueAsync(TokenDbContext db, int limit, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + options.Value.Lease;
        return await db.Database.SqlQuery<int>($"""
            UPDATE tokens SET lease_owner = {Owner}, lease_until = {until}
            WHERE id IN (
                SELECT t.id FROM tokens t
                WHERE t.is_valid AND NOT t.is_revoked AND t.refresh_paused_reason IS NULL AND t.refresh_due_at <= {now}
                  AND (t.lease_until IS NULL OR t.lease_until < {now}) AND t.refresh_attempted_at IS NULL
                  AND EXISTS (SELECT 1 FROM clients c WHERE c.id = t.client_id AND c.is_active)
                ORDER BY t.refresh_due_at
                LIMIT {limit}
                FOR UPDATE OF t SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> tokens whose refresh was interrupted after the refresh token was sent:
    /// the attempt is recorded and its lease ran out (its holder died, or could not store the answer within the
    /// lease). The oldest attempt first: a provider's reuse grace period for its refresh token is running out. Apart
    /// from <see cref="ClaimDueAsync"/>, so that they never wait behind a backlog of due tokens (the long chaos run
    /// lost grants that way). A partial index keeps the look-up to the tokens in a refresh.
    /// </summary>
    public async Task<List<int>> ClaimInterruptedAsync(TokenDbContext db, int limit, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + InterruptedClaimLease;
        return await db.Database.SqlQuery<int>($"""
            UPDATE tokens SET lease_owner = {Owner}, lease_until = {until}
            WHERE id IN (
                SELECT t.id FROM tokens t
                WHERE t.refresh_attempted_at IS NOT NULL AND t.lease_until < {now}
                  AND t.is_valid AND NOT t.is_revoked AND t.refresh_paused_reason IS NULL
                  AND EXISTS (SELECT 1 FROM clients c WHERE c.id = t.client_id AND c.is_active)
                ORDER BY t.refresh_attempted_at
                LIMIT {limit}
                FOR UPDATE OF t SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }
}
