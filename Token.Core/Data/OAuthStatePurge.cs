using Microsoft.EntityFrameworkCore;

namespace Token.Core.Data;

/// <summary>
/// Deletes authorization requests (state, code verifier, login ticket) well past their expiry: they can never be
/// used again, and nothing else would ever remove them.
/// </summary>
public sealed class OAuthStatePurge(TokenDbContext db, TimeProvider time)
{
    /// <summary>Kept this long after expiry, so a late callback is still told that its link expired.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    /// <returns>How many were deleted.</returns>
    public Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - Grace;
        return db.OAuthStates.Where(state => state.ExpiresAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
