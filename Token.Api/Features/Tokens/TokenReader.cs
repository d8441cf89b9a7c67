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
    /// A token in its last seconds is not served: <c>expires_in</c> counts whole seconds from a moment the provider
    /// chose, so the stored expiry can be a second later than the provider's (a chaos run saw a token served 50 ms
    /// before its stored expiry that the sandbox already called inactive), and the caller needs a moment to use it.
    /// </summary>
    public static readonly TimeSpan ExpiryLeeway = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why there is no token while the provider refuses the client's credentials: an admin must change the client's
    /// secret (<c>PATCH /clients/{id}</c>); a new consent does not help until then.
    /// </summary>
    private const string ClientCredentialsRejected = "client_credentials_rejected";

    /// <summary>
    /// Why there is no token while the client is deactivated (<c>is_active: false</c>): the grant is kept, but nothing
    /// serves or refreshes it until the client is active again.
    /// </summary>
    public const string ClientInactive = "client_inactive";

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

    /// <summary>
    /// Refreshes now, whatever the expiry (<c>POST /tokens/refresh</c>); never for a deactivated client, whose read
    /// says <see cref="ClientInactive"/>.
    /// </summary>
    public async Task<TokenRead?> RefreshAsync(int clientId, long? afterVersion, CancellationToken ct)
    {
        var state = await db.Clients.Where(c => c.Id == clientId)
            .Select(c => new
            {
                c.IsActive,
                Version = db.Tokens.Where(t => t.ClientId == c.Id).Select(t => (long?)t.Version).FirstOrDefault()
            })
            .FirstOrDefaultAsync(ct);
        if (state is null)
        {
            return null;
        }
        if (!state.IsActive)
        {
            return new TokenRead(null, ClientInactive);
        }
        // A refresh made after this request arrived (or after the version its caller saw) answers it.
        var seen = afterVersion ?? state.Version ?? 0;
        var gate = cache.RefreshGate(clientId);
        await gate.WaitAsync(ct);
        try
        {
            cache.Forget(clientId);
            var outcome = await lifecycle.RefreshNewerThanAsync(clientId, seen, RefreshTrigger.Manual, ct);
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
        // One round trip for the client's state and its grant.
        var found = await (
            from client in db.Clients.AsNoTracking()
            where client.Id == clientId
            join grant in db.Tokens.AsNoTracking() on client.Id equals grant.ClientId into grants
            from grant in grants.DefaultIfEmpty()
            select new { client.IsActive, Token = grant }).FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }
        if (!found.IsActive)
        {
            return new TokenRead(null, ClientInactive);
        }
        var token = found.Token;
        if (token is null)
        {
            return new TokenRead(null, "no_grant");
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
        var servedUntil = token.ExpiresAt - ExpiryLeeway;
        if (servedUntil <= time.GetUtcNow())
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
            ? (retry < servedUntil ? retry : servedUntil)
            : (token.RefreshPausedReason is null && token.RefreshDueAt < servedUntil
                ? token.RefreshDueAt
                : servedUntil);
        var usable = new CachedToken(
            token.ClientId, accessToken, token.TokenType, token.ExpiresAt, refreshAt, token.Version);
        cache.Set(usable);
        return new TokenRead(usable, null);
    }

    [LoggerMessage(LogLevel.Error, "The stored token of client {ClientId} cannot be decrypted: {Reason}")]
    private partial void LogUnreadable(int clientId, string reason);
}
