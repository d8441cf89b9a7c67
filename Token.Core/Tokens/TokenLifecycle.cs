using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Core.Tokens;

/// <summary>
/// Refresh and revocation of a client's grant against its provider: one refresh per token at a time (a lease), no
/// database lock during the provider call, and a result written back only over the version it started from
/// (docs/architecture.md, "Refresh").
/// </summary>
public sealed partial class TokenLifecycle(
    TokenDbContext db, SecretProtector protector, ProviderCatalog providers, OAuthProviderClient oauth,
    GrantStore grants,
    RefreshLeases leases, RefreshSchedule schedule, ProviderCircuits circuits, RefreshMetrics metrics,
    TimeProvider time, IOptions<RefreshOptions> options, ILogger<TokenLifecycle> logger)
{
    private static readonly TimeSpan HolderPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StoreRetryFirst = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StoreRetryLongest = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a provider's answer is kept and its write tried again while the database refuses it: longer than a
    /// managed database's fail-over (30–60 s).
    /// </summary>
    public static readonly TimeSpan StoreRetryWindow = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a successor of an interrupted refresh waits before it asks the provider again: longer than the holder's
    /// retry interval (<see cref="StoreRetryLongest"/>), so that a holder that was only waiting for the database stores
    /// its answer first. Asking again with a refresh token the provider has rotated, outside its grace period, makes
    /// it revoke the whole grant, the holder's new tokens included.
    /// </summary>
    public static readonly TimeSpan InterruptedSettle = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long after an interrupted refresh first sent its refresh token a passing failure of the provider (down,
    /// slow) is tried again every <see cref="InterruptedRetry"/>, instead of after a backoff: a provider that rotated
    /// the refresh token at that send accepts it again only within its grace period, counted from then (Okta's
    /// default: 30 s).
    /// </summary>
    public static readonly TimeSpan InterruptedRetryWindow = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan InterruptedRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The token should be refreshed before it is served: its due time has come, and its refresh is not paused.
    /// </summary>
    public bool IsDue(OAuthToken token) => token.RefreshPausedReason is null && time.GetUtcNow() >= token.RefreshDueAt;

    /// <summary>
    /// On demand: refreshes the client's token unless it is not due (without <paramref name="force"/>) or another
    /// process is refreshing it, in which case this waits for that refresh and returns its result. A paused refresh
    /// is not tried, even when forced: the provider has already refused the client's credentials.
    /// </summary>
    public Task<RefreshOutcome> RefreshAsync(int clientId, bool force, RefreshTrigger trigger, CancellationToken ct) =>
        RefreshAsync(clientId, force, seenVersion: null, trigger, ct);

    /// <summary>
    /// Forced, but coalesced: when the token has changed since <paramref name="seenVersion"/> (the version the caller
    /// saw, or the one there was when its request arrived), that change is the answer, without a call to the
    /// provider. Callers that ask together share one refresh, on every instance.
    /// </summary>
    public Task<RefreshOutcome> RefreshNewerThanAsync(
        int clientId, long seenVersion, RefreshTrigger trigger, CancellationToken ct) =>
        RefreshAsync(clientId, force: true, seenVersion, trigger, ct);

    private async Task<RefreshOutcome> RefreshAsync(
        int clientId, bool force, long? seenVersion, RefreshTrigger trigger, CancellationToken ct)
    {
        var token = await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.ClientId == clientId, ct);
        if (token is null || token.IsRevoked || !token.IsValid)
        {
            return new RefreshOutcome(token, null);
        }
        if (token.Version > seenVersion)
        {
            metrics.RecordCoalesced(trigger);
            return new RefreshOutcome(token, null);
        }
        if (token.RefreshPausedReason is { } paused)
        {
            return new RefreshOutcome(
                token, new ProviderError(paused, "Refresh is paused until the client's secret is changed.", null));
        }
        if (!force && !IsDue(token))
        {
            return new RefreshOutcome(token, null);
        }
        // An interrupted refresh is carried through from its claim on, whoever asked: a caller going away (a validate
        // that gives up) must not leave the claim held while the provider's grace period runs out (found by the chaos
        // run; CI found the claim itself cancelled).
        var work = token.RefreshAttemptedAt is null ? ct : CancellationToken.None;
        if (!await leases.TryClaimAsync(db, token, work))
        {
            return new RefreshOutcome(await WaitForHolderAsync(token, ct), null);
        }
        return await RefreshClaimedAsync(token.Id, trigger, work);
    }

    /// <summary>Refreshes a token whose lease this process holds, and releases the lease with the result.</summary>
    public async Task<RefreshOutcome> RefreshClaimedAsync(int tokenId, RefreshTrigger trigger, CancellationToken ct)
    {
        // One round trip: the token (tracked, to be written back), its client and the branch ids its event carries.
        var subject = await db.Tokens
            .Where(t => t.Id == tokenId)
            .Join(db.Clients, t => t.ClientId, c => c.Id, (t, c) => new
            {
                Token = t,
                Client = new { c.ClientId, c.ClientSecret, c.Provider },
                BranchIds = c.Branches.OrderBy(b => b.BranchId).Select(b => b.BranchId).ToList()
            })
            .SingleOrDefaultAsync(ct);
        if (subject is null || subject.Token.LeaseOwner != leases.Owner)
        {
            return new RefreshOutcome(subject?.Token, null);
        }
        var (token, client, branchIds) = (subject.Token, subject.Client, subject.BranchIds);
        var interruptedAt = token.RefreshAttemptedAt;
        if (interruptedAt is { } interrupted)
        {
            // This process holds the claim now: not even its stopping leaves it held past the grace period.
            ct = CancellationToken.None;
            metrics.RecordInterrupted(client.Provider);
            LogInterrupted(token.ClientId, interrupted);
            // If its holder stores its answer meanwhile, the attempt below finds a newer version and asks nobody.
            await Task.Delay(InterruptedSettle, time, ct);
        }
        var provider = await providers.FindAsync(client.Provider, ct);
        if (provider is null || token.RefreshToken is null)
        {
            var dead = new ProviderError(
                "invalid_grant",
                provider is null
                    ? $"The provider '{client.Provider}' no longer exists."
                    : "The grant has no refresh token.",
                null);
            await grants.StoreReauthorizationRequiredAsync(token, branchIds, dead.Error, trigger, ct);
            metrics.Record("reauthorization_required", trigger, client.Provider);
            LogReauthorizationRequired(token.ClientId, dead.Error);
            return new RefreshOutcome(token, dead);
        }
        // An interrupted refresh is tried even while the provider's circuit is open: the provider's grace period for its
        // refresh token is running, and postponing it past that loses the grant (found by the chaos run).
        if (token.RefreshAttemptedAt is null && circuits.OpenUntil(provider.Name) is { } openUntil)
        {
            await grants.StorePostponedAsync(token, openUntil, ct);
            metrics.Record("circuit_open", trigger, provider.Name);
            return new RefreshOutcome(
                token, new ProviderError("temporarily_unavailable", "The provider's circuit is open.", null));
        }
        if (!await leases.BeginAttemptAsync(db, token, ct))
        {
            return new RefreshOutcome(
                await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tokenId, ct), null);
        }
        // Its lease stays renewed while this process lives, until the answer is stored or given up.
        using var attempt = leases.HoldAttempt(token.Id);

        // From here on nothing the caller does cancels the refresh: once the provider is asked it may rotate the
        // refresh token, and an answer left unstored (a validate caller gone, a refresher stopping) would leave the
        // grant holding a used-up one (docs/reliability.md). The call has its own timeout (OutboundRules.CallTimeout).
        var started = Stopwatch.GetTimestamp();
        var result = await AskProviderAsync();
        // The provider failing now does not end the grace period the interruption started: ask again within it.
        while (interruptedAt is { } sentAt && result.Error is { RequiresReauthorization: false, RejectsClient: false }
            && time.GetUtcNow() + InterruptedRetry - sentAt < InterruptedRetryWindow)
        {
            await Task.Delay(InterruptedRetry, time);
            if (!await leases.BeginAttemptAsync(db, token, CancellationToken.None))
            {
                return new RefreshOutcome(
                    await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tokenId, CancellationToken.None),
                    null);
            }
            result = await AskProviderAsync();
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return await WriteBackAsync(token, branchIds, client.ClientSecret, result, provider.Name, trigger, elapsed);

        async Task<TokenEndpointResult> AskProviderAsync()
        {
            var answer = await oauth.RefreshAsync(
                provider, client.ClientId,
                protector.Unprotect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId)),
                protector.Unprotect(token.RefreshToken!, SecretContext.RefreshToken(token.ClientId)),
                CancellationToken.None);
            RecordCircuit(answer, provider.Name);
            return answer;
        }
    }

    /// <summary>
    /// Stores the provider's answer, over the version the refresh started from. The answer holds the only copy of a
    /// rotated refresh token, so a write that fails (the database restarting, a connection cut) is tried again every
    /// second for up to <see cref="StoreRetryWindow"/>; nobody else can claim the token while the database is away,
    /// and a successor that claims it once it is back waits <see cref="InterruptedSettle"/> for this write.
    /// </summary>
    private async Task<RefreshOutcome> WriteBackAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, byte[] secretUsed, TokenEndpointResult result,
        string provider, RefreshTrigger trigger, TimeSpan elapsed)
    {
        var (tokenId, clientId, version) = (token.Id, token.ClientId, token.Version);
        var giveUpAt = time.GetUtcNow() + StoreRetryWindow;
        var delay = StoreRetryFirst;
        for (var retry = 0; ; retry++)
        {
            try
            {
                if (retry > 0)
                {
                    // The failed write left the tracked token changed: start again from the stored row.
                    db.ChangeTracker.Clear();
                    var stored = await db.Tokens.SingleOrDefaultAsync(t => t.Id == tokenId, CancellationToken.None);
                    if (stored is null || stored.Version != version)
                    {
                        return Superseded(stored);
                    }
                    token = stored;
                }
                return await StoreResultAsync(
                    token, branchIds, secretUsed, result, provider, trigger, elapsed, CancellationToken.None);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                return Superseded(
                    await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tokenId, CancellationToken.None));
            }
            catch (Exception exception) when (time.GetUtcNow() + delay < giveUpAt)
            {
                if (retry == 0)
                {
                    LogStoreFailed(clientId, StoreRetryWindow.TotalSeconds, exception);
                }
                metrics.RecordStoreRetry(provider);
                await Task.Delay(delay, time);
                delay = delay * 2 < StoreRetryLongest ? delay * 2 : StoreRetryLongest;
            }
        }

        RefreshOutcome Superseded(OAuthToken? current)
        {
            // The grant changed while the provider answered (revoked, or consented again): that answer is stale.
            metrics.Record("superseded", trigger, provider, elapsed);
            LogSuperseded(clientId);
            return new RefreshOutcome(current, null);
        }
    }

    /// <summary>The provider answered, or could not be reached: what that says about it, once per call.</summary>
    private void RecordCircuit(TokenEndpointResult result, string provider)
    {
        if (result.Error is { } error && !error.RequiresReauthorization && !error.RejectsClient)
        {
            // Any other failure, 4xx ones included, is passing; all count towards the circuit, since a 404, a 403 or
            // a WAF's page usually answers every token of the provider alike, as an outage does.
            circuits.Failed(provider);
        }
        else
        {
            // Up: it refreshed, or it refuses this grant or this client's credentials, which retrying cannot change.
            circuits.Succeeded(provider);
        }
    }

    private async Task<RefreshOutcome> StoreResultAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, byte[] secretUsed, TokenEndpointResult result,
        string provider, RefreshTrigger trigger, TimeSpan elapsed, CancellationToken ct)
    {
        if (result.Tokens is { } tokens)
        {
            await grants.StoreRefreshedAsync(token, branchIds, tokens, trigger, provider, ct);
            metrics.Record("refreshed", trigger, provider, elapsed);
            LogRefreshed(token.ClientId, token.Version, trigger.ToTag());
            return new RefreshOutcome(token, null);
        }

        var error = result.Error!;
        if (error.RequiresReauthorization)
        {
            // The provider refuses this grant. Retrying cannot help.
            await grants.StoreReauthorizationRequiredAsync(token, branchIds, error.Error, trigger, ct);
            metrics.Record("reauthorization_required", trigger, provider, elapsed);
            LogReauthorizationRequired(token.ClientId, error.Error);
            return new RefreshOutcome(token, error);
        }
        if (error.RejectsClient)
        {
            // It refuses this client's credentials: every refresh would be refused until they change.
            if (await grants.StoreRefreshPausedAsync(token, branchIds, error.Error, secretUsed, trigger, ct))
            {
                metrics.Record("paused", trigger, provider, elapsed);
                LogRefreshPaused(token.ClientId, error.Error, error.StatusCode);
                return new RefreshOutcome(token, error);
            }
            // The secret was changed while the provider answered, so it refused the old one: try the new one soon.
        }

        var nextAttemptAt = time.GetUtcNow() + schedule.Backoff(token.FailureCount + 1, error.RetryAfter);
        await grants.StoreRefreshFailedAsync(
            token, branchIds, error.Error, trigger, nextAttemptAt, options.Value.FailuresBeforeEvent, ct);
        metrics.Record("failed", trigger, provider, elapsed);
        LogRefreshFailed(token.ClientId, error.Error, error.StatusCode, token.FailureCount, nextAttemptAt);
        return new RefreshOutcome(token, error);
    }

    /// <summary>
    /// The client's secret was changed: a refresh paused for its credentials is due at once, with the new secret.
    /// </summary>
    public async Task ResumeRefreshAsync(int clientId, CancellationToken ct)
    {
        if (await grants.ResumeRefreshAsync(clientId, ct))
        {
            LogRefreshResumed(clientId);
        }
    }

    /// <summary>Another process holds the lease: its answer is this caller's too. Bounded by the lease.</summary>
    private async Task<OAuthToken> WaitForHolderAsync(OAuthToken seen, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + options.Value.Lease;
        while (true)
        {
            await Task.Delay(HolderPoll, time, ct);
            var current = await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == seen.Id, ct);
            var now = time.GetUtcNow();
            if (current is null
                || current.Version != seen.Version || current.LeaseUntil is null || current.LeaseUntil < now
                || now > deadline)
            {
                return current ?? seen;
            }
        }
    }

    /// <summary>
    /// Revokes the grant at the provider (RFC 7009) and marks it revoked; null when the client has no grant. Within
    /// the caller's transaction when it has one, which then commits the revocation and its event with its own change
    /// (deleting the client).
    /// </summary>
    public async Task<bool?> RevokeAsync(int clientId, CancellationToken ct)
    {
        await using var transaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(ct)
            : null;
        var token = await db.Tokens.FromSql(
            $"SELECT * FROM tokens WHERE client_id = {clientId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (token is null)
        {
            return null;
        }

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var provider = await providers.FindAsync(client.Provider, ct);
        var confirmed = provider is not null && !token.IsRevoked
            && await RevokeAtProviderAsync(provider, client, token, ct);

        await grants.StoreRevokedAsync(token, confirmed, ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
        LogRevoked(clientId, confirmed);
        return confirmed;
    }

    private async Task<bool> RevokeAtProviderAsync(
        ProviderDefinition provider, Client client, OAuthToken token, CancellationToken ct)
    {
        try
        {
            // Both tokens are revoked: at Google either one ends the grant, but other providers (OpenIddict among
            // them) keep an access token alive until it expires when only the refresh token is revoked.
            var secret = protector.Unprotect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId));
            var confirmed = await oauth.RevokeAsync(
                provider, client.ClientId, secret,
                protector.Unprotect(token.AccessToken, SecretContext.AccessToken(client.Id)), ct);
            if (token.RefreshToken is { } refresh)
            {
                confirmed &= await oauth.RevokeAsync(
                    provider, client.ClientId, secret,
                    protector.Unprotect(refresh, SecretContext.RefreshToken(client.Id)), ct);
            }
            return confirmed;
        }
        catch (SecretUnreadableException unreadable)
        {
            // A value altered or moved here is never sent anywhere; the grant still ends here, unconfirmed.
            LogUnreadable(client.Id, unreadable.Message);
            return false;
        }
    }

    // Routine and frequent (every grant, every hour): the refreshes metric and the spans show them; failures are
    // warnings.
    [LoggerMessage(LogLevel.Debug, "Refreshed the token of client {ClientId} to version {TokenVersion} ({Trigger})")]
    private partial void LogRefreshed(int clientId, long tokenVersion, string trigger);

    [LoggerMessage(
        LogLevel.Warning,
        "Refreshing the token of client {ClientId} failed: {ProviderError} (HTTP {StatusCode}); failure " +
        "{FailureCount} in a row, next attempt at {NextAttemptAt}")]
    private partial void LogRefreshFailed(
        int clientId, string providerError, int? statusCode, int failureCount, DateTimeOffset nextAttemptAt);

    [LoggerMessage(
        LogLevel.Warning,
        "The provider refused the grant of client {ClientId} ({ProviderError}): the owner must consent again")]
    private partial void LogReauthorizationRequired(int clientId, string providerError);

    [LoggerMessage(
        LogLevel.Warning,
        "The provider refused the credentials of client {ClientId} ({ProviderError}, HTTP {StatusCode}): its refresh " +
        "is paused until its secret is changed")]
    private partial void LogRefreshPaused(int clientId, string providerError, int? statusCode);

    [LoggerMessage(
        LogLevel.Information, "The secret of client {ClientId} was changed: its paused refresh resumes")]
    private partial void LogRefreshResumed(int clientId);

    [LoggerMessage(
        LogLevel.Warning,
        "The refresh of client {ClientId} was interrupted after its refresh token was sent at {AttemptedAt} (its " +
        "process stopped, or could not store the answer); trying again. A provider that rotated the refresh token " +
        "then accepts the old one again only within its reuse grace period, if it has one")]
    private partial void LogInterrupted(int clientId, DateTimeOffset attemptedAt);

    [LoggerMessage(
        LogLevel.Warning,
        "Storing the provider's answer for client {ClientId} failed; trying again for up to {Seconds} s, since it " +
        "may hold the only copy of a rotated refresh token")]
    private partial void LogStoreFailed(int clientId, double seconds, Exception exception);

    [LoggerMessage(
        LogLevel.Information, "Dropped a refresh of client {ClientId}: the grant changed while the provider answered")]
    private partial void LogSuperseded(int clientId);

    [LoggerMessage(
        LogLevel.Error, "A stored secret of client {ClientId} cannot be decrypted, so it is not revoked at the " +
        "provider: {Reason}")]
    private partial void LogUnreadable(int clientId, string reason);

    [LoggerMessage(
        LogLevel.Information, "Revoked the grant of client {ClientId}; provider confirmed: {ProviderConfirmed}")]
    private partial void LogRevoked(int clientId, bool providerConfirmed);
}
