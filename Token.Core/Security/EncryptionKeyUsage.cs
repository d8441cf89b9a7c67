using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Token.Core.Data;

namespace Token.Core.Security;

/// <summary>
/// How many stored secrets each encryption key protects, read from the key id in every value's header (see
/// <see cref="SecretProtector"/>), and the check that every key the database uses is configured.
/// </summary>
public sealed class EncryptionKeyUsage(TokenDbContext db, SecretProtector protector)
{
    // Every encrypted column; the key id is bytes 2 to 9 of a value in format 1. A value in no known format is
    // reported unreadable where it is read, like one that does not belong to its row.
    private const string ValuesByKeyId = """
        SELECT encode(substring(value from 2 for 8), 'hex'), count(*)
        FROM (
            SELECT client_secret AS value FROM clients
            UNION ALL SELECT access_token FROM tokens
            UNION ALL SELECT refresh_token FROM tokens WHERE refresh_token IS NOT NULL
            UNION ALL SELECT code_verifier FROM oauth_states
            UNION ALL SELECT secret FROM webhooks
            UNION ALL SELECT previous_secret FROM webhooks WHERE previous_secret IS NOT NULL
        ) AS secrets
        WHERE length(value) >= 9 AND get_byte(value, 0) = 1
        GROUP BY 1
        """;

    /// <summary>Stored values per key id (hex).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, long>();
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(ct);
        }
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = ValuesByKeyId;
            // Inside a rotation the count must see the rotation's own writes.
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
        return counts;
    }

    /// <summary>Values under a key other than the newest: what a rotation still has to re-encrypt.</summary>
    public async Task<long> UnderOlderKeysAsync(CancellationToken ct) =>
        (await CountAsync(ct)).Where(usage => usage.Key != protector.KeyIds[0]).Sum(usage => usage.Value);

    /// <exception cref="InvalidOperationException">
    /// The database holds values under a key that is not configured: they could never be read, so the service
    /// must not start and fail on them one request at a time.
    /// </exception>
    public async Task EnsureEveryKeyIsConfiguredAsync(CancellationToken ct)
    {
        var missing = (await CountAsync(ct)).Where(usage => !protector.KeyIds.Contains(usage.Key)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                "TokenEncryption:Keys lacks a key the database uses: " +
                string.Join(", ", missing.Select(usage => $"key id {usage.Key} ({usage.Value} values)")) +
                ". Add that key back (after the newest) or restore the setting it was removed from.");
        }
    }
}
