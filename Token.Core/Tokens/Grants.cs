using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Token.Contracts;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Core.Tokens;

/// <summary>Writes grants (encrypted) together with the event that announces each change, in one transaction.</summary>
public sealed class Grants(TokenDbContext db, SecretProtector protector, TimeProvider time)
{
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

        Apply(token, tokens, now, keepRefreshToken: false);
        token.IsValid = true;
        token.IsRevoked = false;
        token.LastRefreshedAt = null;

        await AddEventAsync(clientId, branchIds => new TokenIssued(Guid.NewGuid(), clientId, branchIds, token.Version, token.ExpiresAt, now, "consent"), ct);
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Stores a refresh's answer; a response without a refresh token keeps the old one (RFC 6749 §6).</summary>
    public async Task StoreRefreshedAsync(OAuthToken token, ProviderTokens tokens, string trigger, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        Apply(token, tokens, now, keepRefreshToken: true);
        token.LastRefreshedAt = now;

        await AddEventAsync(token.ClientId, branchIds => new TokenRefreshed(Guid.NewGuid(), token.ClientId, branchIds, token.Version, token.ExpiresAt, now, trigger), ct);
        await db.SaveChangesAsync(ct);
    }

    public async Task StoreRevokedAsync(OAuthToken token, bool providerConfirmed, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        token.IsRevoked = true;
        token.IsValid = false;
        token.Version++;
        token.UpdatedAt = now;

        await AddEventAsync(token.ClientId, branchIds => new TokenRevoked(Guid.NewGuid(), token.ClientId, branchIds, token.Version, providerConfirmed, now, "api"), ct);
        await db.SaveChangesAsync(ct);
    }

    private void Apply(OAuthToken token, ProviderTokens tokens, DateTimeOffset now, bool keepRefreshToken)
    {
        token.AccessToken = protector.Protect(tokens.AccessToken, SecretContext.AccessToken(token.ClientId));
        if (tokens.RefreshToken is not null || !keepRefreshToken)
        {
            token.RefreshToken = tokens.RefreshToken is null ? null : protector.Protect(tokens.RefreshToken, SecretContext.RefreshToken(token.ClientId));
        }
        token.TokenType = tokens.TokenType;
        token.Scope = tokens.Scope ?? token.Scope;
        token.ExpiresAt = now + tokens.ExpiresIn;
        token.Version++;
        token.UpdatedAt = now;
    }

    private async Task AddEventAsync<TEvent>(int clientId, Func<IReadOnlyList<string>, TEvent> create, CancellationToken ct) where TEvent : class
    {
        var branchIds = await db.Branches.Where(b => b.ClientId == clientId).OrderBy(b => b.BranchId).Select(b => b.BranchId).ToListAsync(ct);
        db.Outbox.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            MessageType = typeof(TEvent).FullName!,
            Payload = JsonSerializer.Serialize(create(branchIds), JsonSerializerOptions.Web),
            CreatedAt = time.GetUtcNow()
        });
    }
}
