using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Core.Tokens;

public sealed class RefreshOptions
{
    /// <summary>How long before expiry a token is refreshed (never more than half its lifetime).</summary>
    public TimeSpan Buffer { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed record RefreshOutcome(OAuthToken? Token, ProviderError? Error);

/// <summary>Refresh and revocation of a client's grant against its provider.</summary>
public sealed partial class TokenLifecycle(
    TokenDbContext db, SecretProtector protector, ProviderCatalog providers, OAuthProviderClient oauth, Grants grants,
    TimeProvider time, IOptions<RefreshOptions> options, ILogger<TokenLifecycle> logger)
{
    /// <summary>When the token should be refreshed: its expiry minus the buffer, and never more than half its lifetime early.</summary>
    public DateTimeOffset RefreshDueAt(OAuthToken token)
    {
        var lifetime = token.ExpiresAt - (token.LastRefreshedAt ?? token.CreatedAt);
        return token.ExpiresAt - TimeSpan.FromTicks(Math.Min(options.Value.Buffer.Ticks, lifetime.Ticks / 2));
    }

    /// <summary>The token is usable but close enough to expiry that it should be refreshed first.</summary>
    public bool IsInsideRefreshBuffer(OAuthToken token) => time.GetUtcNow() >= RefreshDueAt(token);

    /// <summary>
    /// Refreshes the client's token unless another caller already did (or, without <paramref name="force"/>, it is
    /// not yet inside its buffer). The row stays locked until the answer is stored, so one refresh runs at a time.
    /// </summary>
    public async Task<RefreshOutcome> RefreshAsync(int clientId, bool force, string trigger, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var token = await db.Tokens.FromSql($"SELECT * FROM tokens WHERE client_id = {clientId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (token is null || token.IsRevoked || !token.IsValid)
        {
            return new RefreshOutcome(token, null);
        }
        if (!force && !IsInsideRefreshBuffer(token))
        {
            return new RefreshOutcome(token, null);
        }
        if (token.RefreshToken is null)
        {
            return new RefreshOutcome(token, new ProviderError("invalid_grant", "The grant has no refresh token; the owner must consent again.", null));
        }

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var provider = await providers.FindAsync(client.Provider, ct)
            ?? throw new InvalidOperationException($"Client {clientId} names provider '{client.Provider}', which does not exist.");

        var result = await oauth.RefreshAsync(
            provider, client.ClientId, protector.Unprotect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId)),
            protector.Unprotect(token.RefreshToken, SecretContext.RefreshToken(clientId)), ct);

        if (result.Tokens is { } tokens)
        {
            await grants.StoreRefreshedAsync(token, tokens, trigger, ct);
            await transaction.CommitAsync(ct);
            LogRefreshed(clientId, token.Version, trigger);
            return new RefreshOutcome(token, null);
        }

        var error = result.Error!;
        if (error.RequiresReauthorization)
        {
            token.IsValid = false;
            token.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        LogRefreshFailed(clientId, error.Error, error.StatusCode);
        return new RefreshOutcome(token, error);
    }

    /// <summary>Revokes the grant at the provider (RFC 7009) and marks it revoked; null when the client has no grant.</summary>
    public async Task<bool?> RevokeAsync(int clientId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var token = await db.Tokens.FromSql($"SELECT * FROM tokens WHERE client_id = {clientId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (token is null)
        {
            return null;
        }

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var provider = await providers.FindAsync(client.Provider, ct);
        var confirmed = false;
        if (provider is not null && !token.IsRevoked)
        {
            // Both tokens are revoked: at Google either one ends the grant, but other providers (OpenIddict among
            // them) keep an access token alive until it expires when only the refresh token is revoked.
            var secret = protector.Unprotect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId));
            confirmed = await oauth.RevokeAsync(provider, client.ClientId, secret, protector.Unprotect(token.AccessToken, SecretContext.AccessToken(clientId)), ct);
            if (token.RefreshToken is { } refresh)
            {
                confirmed &= await oauth.RevokeAsync(provider, client.ClientId, secret, protector.Unprotect(refresh, SecretContext.RefreshToken(clientId)), ct);
            }
        }

        await grants.StoreRevokedAsync(token, confirmed, ct);
        await transaction.CommitAsync(ct);
        LogRevoked(clientId, confirmed);
        return confirmed;
    }

    [LoggerMessage(LogLevel.Information, "Refreshed the token of client {ClientId} to version {TokenVersion} ({Trigger})")]
    private partial void LogRefreshed(int clientId, long tokenVersion, string trigger);

    [LoggerMessage(LogLevel.Warning, "Refreshing the token of client {ClientId} failed: {ProviderError} (HTTP {StatusCode})")]
    private partial void LogRefreshFailed(int clientId, string providerError, int? statusCode);

    [LoggerMessage(LogLevel.Information, "Revoked the grant of client {ClientId}; provider confirmed: {ProviderConfirmed}")]
    private partial void LogRevoked(int clientId, bool providerConfirmed);
}
