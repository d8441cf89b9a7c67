using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Token.Contracts;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Core.Tokens;

/// <summary>Writes grants (encrypted) together with the event that announces each change, in one transaction.</summary>
public sealed class GrantStore(
    TokenDbContext db, SecretProtector protector, RefreshSchedule schedule, TimeProvider time)
{
    /// <summary>The error a grant ended by a change of its provider carries, in its row and its event.</summary>
    public const string ProviderChanged = "provider_changed";

    /// <summary>Stores the grant of a completed consent, replacing the client's previous one.</summary>
    public async Task<OAuthToken> StoreIssuedAsync(int clientId, ProviderTokens tokens, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var token = await db.Tokens.FirstOrDefaultAsync(t => t.ClientId == clientId, ct);
        if (token is null)
        {
            token = new OAuthToken { ClientId = clientId, AccessToken = [], CreatedAt = now };
            db.Tokens.Add(token);
        }

        token.IsValid = true;
        token.IsRevoked = false;
        token.LastRefreshedAt = null;
        Apply(token, tokens, now, keepRefreshToken: false, await ProviderOfAsync(clientId, ct));

        AddEvent(
            new TokenIssued(
                Guid.NewGuid(), clientId, await BranchIdsAsync(clientId, ct), token.Version, token.ExpiresAt, now,
                "consent"));
        await db.SaveChangesAsync(ct);
        return token;
    }

    // A refresh's outcomes take the client's branch ids from the refresh, which loaded them with the token.

    /// <summary>
    /// Stores a refresh's answer; a response without a refresh token keeps the old one (RFC 6749 §6). Throws
    /// <see cref="DbUpdateConcurrencyException"/> when the token changed since it was read: that answer is dropped.
    /// </summary>
    public async Task StoreRefreshedAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, ProviderTokens tokens, RefreshTrigger trigger,
        string provider, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        token.LastRefreshedAt = now;
        Apply(token, tokens, now, keepRefreshToken: true, provider);

        AddEvent(
            new TokenRefreshed(
                Guid.NewGuid(), token.ClientId, branchIds, token.Version, token.ExpiresAt, now, trigger.ToTag()));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The provider refused the grant itself: no more refreshes until the owner consents again.</summary>
    public async Task StoreReauthorizationRequiredAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, string error, RefreshTrigger trigger, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        token.IsValid = false;
        token.LastError = error;
        token.Version++;
        token.UpdatedAt = now;
        ReleaseLease(token);

        AddEvent(
            new TokenReauthorizationRequired(
                Guid.NewGuid(), token.ClientId, branchIds, token.Version, error, now, trigger.ToTag()));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A passing failure: the next attempt waits until <paramref name="nextAttemptAt"/>. After
    /// <paramref name="failuresBeforeEvent"/> in a row, subscribers hear of it once.
    /// </summary>
    public async Task StoreRefreshFailedAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, string error, RefreshTrigger trigger,
        DateTimeOffset nextAttemptAt, int failuresBeforeEvent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        token.FailureCount++;
        token.LastError = error;
        token.UpdatedAt = now;
        Postpone(token, nextAttemptAt);

        if (token.FailureCount == failuresBeforeEvent)
        {
            AddEvent(new TokenRefreshFailed(
                Guid.NewGuid(), token.ClientId, branchIds, token.Version, token.FailureCount, error, token.ExpiresAt,
                nextAttemptAt, now, trigger.ToTag()));
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The provider refused the client's own credentials: the grant is kept, and its refresh paused until the client's
    /// secret is changed. False, with nothing stored, when the secret was changed while the provider answered: the
    /// refusal was of the old secret, <paramref name="secretUsed"/>.
    /// </summary>
    public async Task<bool> StoreRefreshPausedAsync(
        OAuthToken token, IReadOnlyList<string> branchIds, string error, byte[] secretUsed, RefreshTrigger trigger,
        CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The share lock holds a new secret back until the pause is committed, so that its resume finds the pause.
        var secret = (await db.Database.SqlQuery<byte[]>(
            $"SELECT client_secret AS \"Value\" FROM clients WHERE id = {token.ClientId} FOR SHARE").ToListAsync(ct))
            .Single();
        if (!secret.AsSpan().SequenceEqual(secretUsed))
        {
            return false;
        }

        var now = time.GetUtcNow();
        token.FailureCount++;
        token.LastError = error;
        token.RefreshPausedReason = error;
        token.UpdatedAt = now;
        ReleaseLease(token);

        // Announced at once, not after several failures: nothing will try again on its own.
        AddEvent(new TokenRefreshFailed(
            Guid.NewGuid(), token.ClientId, branchIds, token.Version, token.FailureCount, error, token.ExpiresAt,
            DateTimeOffset.MaxValue, now, trigger.ToTag(), Paused: true));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The client's secret was changed: a paused refresh is due at once, with the new secret. False when it was not
    /// paused.
    /// </summary>
    public async Task<bool> ResumeRefreshAsync(int clientId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return await db.Tokens
            .Where(t => t.ClientId == clientId && t.RefreshPausedReason != null)
            .ExecuteUpdateAsync(token => token
                .SetProperty(t => t.RefreshPausedReason, (string?)null)
                .SetProperty(t => t.FailureCount, 0)
                .SetProperty(t => t.RefreshDueAt, now)
                .SetProperty(t => t.UpdatedAt, now), ct) > 0;
    }

    /// <summary>
    /// Adds <see cref="ClientDeactivated"/> to the outbox, saved with the caller's change of the client: every API
    /// instance drops the client's cached token when it hears of it.
    /// </summary>
    public async Task AnnounceClientDeactivatedAsync(int clientId, CancellationToken ct) =>
        AddEvent(new ClientDeactivated(
            Guid.NewGuid(), clientId, await BranchIdsAsync(clientId, ct), time.GetUtcNow(), "api"));

    /// <summary>Nobody tried (the provider's circuit is open): look again when it may be tried.</summary>
    public async Task StorePostponedAsync(OAuthToken token, DateTimeOffset until, CancellationToken ct)
    {
        Postpone(token, until);
        await db.SaveChangesAsync(ct);
    }

    public async Task StoreRevokedAsync(OAuthToken token, bool providerConfirmed, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        token.IsRevoked = true;
        token.IsValid = false;
        token.Version++;
        token.UpdatedAt = now;
        ReleaseLease(token);

        AddEvent(
            new TokenRevoked(
                Guid.NewGuid(), token.ClientId, await BranchIdsAsync(token.ClientId, ct), token.Version,
                providerConfirmed, now, "api"));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The grant's provider changed under it (another token or revocation endpoint, another client authentication,
    /// or the client moved to another provider): its tokens are erased, so nothing can send them to the new endpoints,
    /// and the owner must consent again. Announced as revoked, then as needing consent, each with its own version.
    /// </summary>
    public async Task StoreEndedByProviderChangeAsync(OAuthToken token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var branchIds = await BranchIdsAsync(token.ClientId, ct);
        // Empty but still a ciphertext of this row: key rotation and revocation read it like any other.
        token.AccessToken = protector.Protect("", SecretContext.AccessToken(token.ClientId));
        token.RefreshToken = null;
        token.IsValid = false;
        token.LastError = ProviderChanged;
        // A pause was about the client's credentials at the old provider; a new consent starts afresh anyway.
        token.RefreshPausedReason = null;
        token.UpdatedAt = now;
        ReleaseLease(token);

        token.Version++;
        AddEvent(new TokenRevoked(Guid.NewGuid(), token.ClientId, branchIds, token.Version, false, now, "api"));
        token.Version++;
        AddEvent(
            new TokenReauthorizationRequired(
                Guid.NewGuid(), token.ClientId, branchIds, token.Version, ProviderChanged, now, "api"));
        await db.SaveChangesAsync(ct);
    }

    private void Apply(
        OAuthToken token, ProviderTokens tokens, DateTimeOffset now, bool keepRefreshToken, string provider)
    {
        token.AccessToken = protector.Protect(tokens.AccessToken, SecretContext.AccessToken(token.ClientId));
        if (tokens.RefreshToken is not null || !keepRefreshToken)
        {
            token.RefreshToken = tokens.RefreshToken is null ? null : protector.Protect(
                tokens.RefreshToken, SecretContext.RefreshToken(token.ClientId));
        }
        token.TokenType = tokens.TokenType;
        token.Scope = tokens.Scope ?? token.Scope;
        token.ExpiresAt = tokens.ExpiresAt;
        token.Version++;
        token.UpdatedAt = now;
        token.FailureCount = 0;
        token.LastError = null;
        // A new consent or refresh went through with the client's current credentials.
        token.RefreshPausedReason = null;
        token.RefreshDueAt = schedule.DueAt(now, token.ExpiresAt, provider);
        ReleaseLease(token);
    }

    private static void Postpone(OAuthToken token, DateTimeOffset until)
    {
        token.RefreshDueAt = until;
        ReleaseLease(token);
    }

    private static void ReleaseLease(OAuthToken token) =>
        (token.LeaseOwner, token.LeaseUntil, token.RefreshAttemptedAt) = (null, null, null);

    private Task<string> ProviderOfAsync(int clientId, CancellationToken ct) =>
        db.Clients.Where(c => c.Id == clientId).Select(c => c.Provider).SingleAsync(ct);

    /// <summary>The client's branch ids as events carry them, in order.</summary>
    private Task<List<string>> BranchIdsAsync(int clientId, CancellationToken ct) =>
        db.Branches.Where(b => b.ClientId == clientId).OrderBy(b => b.BranchId).Select(b => b.BranchId).ToListAsync(ct);

    private void AddEvent<TEvent>(TEvent message) where TEvent : class =>
        db.Outbox.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            MessageType = typeof(TEvent).FullName!,
            Payload = JsonSerializer.Serialize(message, JsonSerializerOptions.Web),
            CreatedAt = time.GetUtcNow()
        });
}
