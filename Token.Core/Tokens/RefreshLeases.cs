using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Core.Data;

namespace Token.Core.Tokens;

/// <summary>
/// Claims on tokens, so that one process at a time calls the provider for a token. A claim is a lease in the token's
/// row (owner, until): it is taken by one UPDATE, no lock is held while the provider answers, and a crashed owner's
/// lease simply runs out.
/// </summary>
public sealed class RefreshLeases(IOptions<RefreshOptions> options, TimeProvider time)
{
    /// <summary>This process, as it appears in <c>tokens.lease_owner</c>.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Claims one client's token unless another process holds it or its refresh is paused.</summary>
    public async Task<bool> TryClaimAsync(TokenDbContext db, int tokenId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + options.Value.Lease;
        var claimed = await db.Tokens
            .Where(t => t.Id == tokenId && t.IsValid && !t.IsRevoked && t.RefreshPausedReason == null
                && (t.LeaseUntil == null || t.LeaseUntil < now))
            .ExecuteUpdateAsync(
                token => token.SetProperty(t => t.LeaseOwner, Owner).SetProperty(t => t.LeaseUntil, until), ct);
        return claimed == 1;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due tokens, earliest first. Rows another refresher is claiming at this
    /// moment are skipped, not waited for, so refreshers never claim the same token.
    /// </summary>
    public async Task<List<int>> ClaimDueAsync(TokenDbContext db, int limit, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + options.Value.Lease;
        return await db.Database.SqlQuery<int>($"""
            UPDATE tokens SET lease_owner = {Owner}, lease_until = {until}
            WHERE id IN (
                SELECT id FROM tokens
                WHERE is_valid AND NOT is_revoked AND refresh_paused_reason IS NULL AND refresh_due_at <= {now}
                  AND (lease_until IS NULL OR lease_until < {now})
                ORDER BY refresh_due_at
                LIMIT {limit}
                FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }
}
