using Microsoft.EntityFrameworkCore;
using Token.Core.Data;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Features.Tokens;

/// <summary>
/// The read path of <c>validate</c>: memory first, then the database, refreshing a token that is due.
/// </summary>
public sealed partial class TokenReader(
    TokenDbContext db, TokenCache cache, TokenLifecycle lifecycle, SecretProtector protector, TimeProvider time,
    ILogger<TokenReader> logger)
{
    /// <summary>
    /// How long a still-valid token is served from memory after an on-demand refresh failed for a passing reason.
    /// </summary>
    public static readonly TimeSpan RetryAfterFailedRefresh = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Why there is no token while the provider refuses the client's credentials: an admin must change the client's
    /// secret (<c>PATCH /clients/{id}</c>); a new consent does not help until then.
    /// </summary>
    private const string ClientCredentialsRejected = "client_credentials_rejected";

    /// <summary>Null when the client does not exist. Called when the cache had nothing usable.</summary>
    public async Task<TokenRead?> ReadAsync(int clientId, CancellationToken ct)
    {
        var gate = cache.RefreshGate(clientId);
        await gate.WaitAsync(ct);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (cache.TryGet(clientId, out var cached))
            {
                return new TokenRead(cached, null);
            }
            return await LoadAsync(clientId, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Refreshes now, whatever the expiry (<c>POST /tokens/refresh</c>).</summary>
    public async Task<TokenRead?> RefreshAsync(int clientId, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct))
        {
            return null;
        }
        var gate = cache.RefreshGate(clientId);
        await gate.WaitAsync(ct);
        try
        {
            cache.Forget(clientId);
            var outcome = await lifecycle.RefreshAsync(clientId, force: true, RefreshTrigger.Manual, ct);
            return outcome.Error switch
            {
                { RequiresReauthorization: true } => new TokenRead(null, "reauthorization_required"),
                { RejectsClient: true } => new TokenRead(null, ClientCredentialsRejected),
                { } => new TokenRead(null, "refresh_failed"),
                null => Describe(outcome.Token)
            };
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<TokenRead?> LoadAsync(int clientId, CancellationToken ct)
    {
        var token = await db.Tokens.AsNoTracking().FirstOrDefaultAsync(t => t.ClientId == clientId, ct);
        if (token is null)
        {
            return await db.Clients.AnyAsync(c => c.Id == clientId, ct) ? new TokenRead(null, "no_grant") : null;
        }

        if (token.IsValid && !token.IsRevoked && lifecycle.IsDue(token))
        {
            var outcome = await lifecycle.RefreshAsync(clientId, force: false, RefreshTrigger.OnDemand, ct);
            if (outcome.Error is { RequiresReauthorization: false })
            {
                // A passing failure leaves the old token, which may still be usable. Serve it from memory for a while
                // instead of asking the provider again on every read while it is down.
                return Describe(outcome.Token ?? token, retryRefreshAt: time.GetUtcNow() + RetryAfterFailedRefresh);
            }
            token = outcome.Token ?? token;
        }
        return Describe(token);
    }

    private TokenRead Describe(OAuthToken? token, DateTimeOffset? retryRefreshAt = null)
    {
        if (token is null)
        {
            return new TokenRead(null, "no_grant");
        }
        if (token.IsRevoked)
        {
            return new TokenRead(null, "revoked");
        }
        if (!token.IsValid)
        {
            return new TokenRead(null, "reauthorization_required");
        }
        if (token.ExpiresAt <= time.GetUtcNow())
        {
            // Expired because nothing may refresh it: say what would.
            return new TokenRead(null, token.RefreshPausedReason is null ? "expired" : ClientCredentialsRejected);
        }

        string accessToken;
        try
        {
            accessToken = protector.Unprotect(token.AccessToken, SecretContext.AccessToken(token.ClientId));
        }
        catch (SecretUnreadableException unreadable)
        {
            // A value that does not decrypt for this row was altered or moved here: never serve it.
            LogUnreadable(token.ClientId, unreadable.Message);
            return new TokenRead(null, "unreadable");
        }

        // A paused token may stay in memory until it expires: no read can refresh it before then.
        var refreshAt = retryRefreshAt is { } retry
            ? (retry < token.ExpiresAt ? retry : token.ExpiresAt)
            : (token.RefreshPausedReason is null && token.RefreshDueAt < token.ExpiresAt
                ? token.RefreshDueAt
                : token.ExpiresAt);
        var usable = new CachedToken(
            token.ClientId, accessToken, token.TokenType, token.ExpiresAt, refreshAt, token.Version);
        cache.Set(usable);
        return new TokenRead(usable, null);
    }

    [LoggerMessage(LogLevel.Error, "The stored token of client {ClientId} cannot be decrypted: {Reason}")]
    private partial void LogUnreadable(int clientId, string reason);
}
