using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Core.Tokens;

/// <summary>
/// Ends the grants whose tokens a change would send to another token or revocation endpoint than the one that issued
/// them: with a leaked admin key, pointing a provider at one's own server would otherwise collect every refresh token
/// at the next refresh (docs/architecture.md, "Admin changes").
/// </summary>
public sealed partial class ProviderChangeRevocation(
    TokenDbContext db, GrantStore grants, SecretProtector protector, OAuthProviderClient oauth, TimeProvider time,
    ILogger<ProviderChangeRevocation> logger)
{
    /// <summary>Calls to the issuer's revocation endpoint at once: many grants need not wait in line.</summary>
    private const int RevocationParallelism = 8;

    /// <summary>
    /// Inside the caller's transaction: locks the grants of these clients until the change commits (no refresh can
    /// claim one meanwhile) and returns those that still hold tokens, dead grants included.
    /// </summary>
    public async Task<IReadOnlyList<OAuthToken>> LockLiveGrantsAsync(
        IReadOnlyCollection<int> clientIds, CancellationToken ct)
    {
        var ids = clientIds.ToArray();
        var grantsOfClients = await db.Tokens
            .FromSql($"SELECT * FROM tokens WHERE client_id = ANY({ids}) FOR UPDATE")
            .ToListAsync(ct);
        return [.. grantsOfClients.Where(t => !t.IsRevoked && (t.IsValid || t.RefreshToken is not null))];
    }

    /// <summary>
    /// A refresh that claimed its lease before the lock may not have read its provider yet, and would read the changed
    /// one; the change waits until it is done.
    /// </summary>
    public bool AnyBeingRefreshed(IEnumerable<OAuthToken> locked)
    {
        var now = time.GetUtcNow();
        return locked.Any(t => t.LeaseUntil > now);
    }

    /// <summary>
    /// Erases the tokens of locked grants and announces each
    /// (<see cref="GrantStore.StoreEndedByProviderChangeAsync"/>); returns them decrypted, to be revoked at their
    /// issuer once the change is committed.
    /// </summary>
    public async Task<IReadOnlyList<EndedGrant>> EndAsync(IReadOnlyList<OAuthToken> locked, CancellationToken ct)
    {
        var clientIds = locked.Select(t => t.ClientId).ToArray();
        // As stored, not as the change in progress may have set them: the issuer knows the client's current secret.
        var clients = await db.Clients.AsNoTracking()
            .Where(c => clientIds.Contains(c.Id))
            .Select(c => new { c.Id, c.ClientId, c.ClientSecret })
            .ToDictionaryAsync(c => c.Id, ct);

        var ended = new List<EndedGrant>(locked.Count);
        foreach (var token in locked)
        {
            var client = clients[token.ClientId];
            ended.Add(new EndedGrant(
                token.ClientId, client.ClientId,
                Readable(client.ClientSecret, SecretContext.ClientSecret(client.ClientId)),
                Readable(token.AccessToken, SecretContext.AccessToken(token.ClientId)),
                token.RefreshToken is null
                    ? null
                    : Readable(token.RefreshToken, SecretContext.RefreshToken(token.ClientId))));
            await grants.StoreEndedByProviderChangeAsync(token, ct);
        }
        return ended;
    }

    /// <summary>
    /// After the change committed: revokes the ended grants (RFC 7009) at the provider that issued them, as it was
    /// before the change, so that they stop working there too. Their tokens never go anywhere else. Returns how many
    /// the issuer confirmed; a grant it did not confirm is still ended here.
    /// </summary>
    public async Task<int> RevokeAtIssuerAsync(
        IReadOnlyList<EndedGrant> ended, ProviderDefinition issuer, CancellationToken ct)
    {
        var confirmed = 0;
        await Parallel.ForEachAsync(
            ended, new ParallelOptions { MaxDegreeOfParallelism = RevocationParallelism, CancellationToken = ct },
            async (grant, cancel) =>
            {
                if (grant.ClientSecret is not { } secret)
                {
                    return;
                }
                // Both tokens, as DELETE /tokens does: some providers keep an access token alive on their own.
                var values = new[] { grant.AccessToken, grant.RefreshToken }.OfType<string>().ToList();
                var revoked = values.Count > 0;
                foreach (var value in values)
                {
                    revoked &= await oauth.RevokeAsync(issuer, grant.OAuthClientId, secret, value, cancel);
                }
                if (revoked)
                {
                    Interlocked.Increment(ref confirmed);
                }
            });
        LogRevokedAtIssuer(ended.Count, issuer.Name, confirmed);
        return confirmed;
    }

    /// <summary>A value that does not decrypt for its row was tampered with: it is erased, never sent.</summary>
    private string? Readable(byte[] value, SecretContext context)
    {
        try
        {
            return protector.Unprotect(value, context);
        }
        catch (SecretUnreadableException)
        {
            return null;
        }
    }

    [LoggerMessage(
        LogLevel.Information,
        "Ended {GrantCount} grants whose provider changed; their issuer {Provider} confirmed revoking " +
        "{ConfirmedCount}")]
    private partial void LogRevokedAtIssuer(int grantCount, string provider, int confirmedCount);
}
