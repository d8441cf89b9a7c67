using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Features.Admin.RotateEncryption;

/// <summary>
/// <c>POST /admin/encryption/rotate</c>: re-encrypts every stored secret under the newest key, so older keys can be
/// removed from <c>token-encryption-key</c> afterwards. Values already under the newest key are left alone. Every row it
/// rewrites is locked first, so a change that commits meanwhile (a new client secret, a refresh) is not overwritten
/// with the value read before it.
/// </summary>
public sealed class Endpoint(
    TokenDbContext db, SecretProtector protector, EncryptionKeyUsage usage, AuditTrail audit)
    : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Post("/admin/encryption/rotate");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var count = new Counts();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        foreach (var client in await db.Clients.FromSql($"SELECT * FROM clients FOR UPDATE").ToListAsync(ct))
        {
            client.ClientSecret = Reencrypt(
                client.ClientSecret, SecretContext.ClientSecret(client.ClientId), count);
        }
        foreach (var token in await db.Tokens.FromSql($"SELECT * FROM tokens FOR UPDATE").ToListAsync(ct))
        {
            token.AccessToken = Reencrypt(token.AccessToken, SecretContext.AccessToken(token.ClientId), count);
            if (token.RefreshToken is { } refresh)
            {
                token.RefreshToken = Reencrypt(refresh, SecretContext.RefreshToken(token.ClientId), count);
            }
        }
        foreach (var state in await db.OAuthStates.FromSql($"SELECT * FROM oauth_states FOR UPDATE").ToListAsync(ct))
        {
            state.CodeVerifier = Reencrypt(state.CodeVerifier, SecretContext.CodeVerifier(state.State), count);
        }
        foreach (var webhook in await db.Webhooks.FromSql($"SELECT * FROM webhooks FOR UPDATE").ToListAsync(ct))
        {
            webhook.Secret = Reencrypt(webhook.Secret, SecretContext.WebhookSecret(webhook.Id), count);
            if (webhook.PreviousSecret is { } previous)
            {
                webhook.PreviousSecret = Reencrypt(previous, SecretContext.WebhookSecret(webhook.Id), count);
            }
        }

        audit.Record(AuditAction.EncryptionRotated, target: null);
        await db.SaveChangesAsync(ct);
        var underOlderKeys = await usage.UnderOlderKeysAsync(ct);
        await transaction.CommitAsync(ct);
        await Send.OkAsync(new Response(count.Reencrypted, underOlderKeys, count.Unreadable), ct);
    }

    private byte[] Reencrypt(byte[] value, SecretContext context, Counts count)
    {
        if (protector.IsUnderNewestKey(value))
        {
            return value;
        }
        try
        {
            var reencrypted = protector.Protect(protector.Unprotect(value, context), context);
            count.Reencrypted++;
            return reencrypted;
        }
        catch (SecretUnreadableException)
        {
            // Already unreadable (not ours, or moved from another row): left as it is, and counted, so one bad value
            // does not keep every other one under an old key.
            count.Unreadable++;
            return value;
        }
    }

    private sealed class Counts
    {
        public int Reencrypted { get; set; }
        public int Unreadable { get; set; }
    }
}
