using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>What the refresh tests read of a grant's row in the platform's database.</summary>
public static class TokenRows
{
    private static readonly TimeSpan DueTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The grant's version and expiry as the database holds them.</summary>
    public static async Task<(long Version, DateTimeOffset ExpiresAt)> TokenRowAsync(
        this TokenPlatformApi api, int clientId)
    {
        await using var db = await api.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT version, expires_at FROM tokens WHERE client_id = @id", db);
        query.Parameters.AddWithValue("id", clientId);
        await using var row = await query.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        return (row.GetInt64(0), row.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Makes the grants of these clients due now, whatever their lifetime.</summary>
    public static async Task MakeDueAsync(this TokenPlatformApi api, params int[] clientIds)
    {
        await using var db = await api.OpenDatabaseAsync();
        await using var due = new NpgsqlCommand(
            "UPDATE tokens SET refresh_due_at = now() WHERE client_id = ANY(@ids)", db);
        due.Parameters.AddWithValue("ids", clientIds);
        Assert.Equal(clientIds.Length, await due.ExecuteNonQueryAsync());
    }

    /// <summary>
    /// Until the token's due time has come. A refresher may take it up at once and, on failure, push its due time
    /// into the future again, so a claim, a failure or a refresh count as well.
    /// </summary>
    public static async Task WaitUntilDueAsync(this TokenPlatformApi api, int clientId) =>
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = await api.OpenDatabaseAsync();
            await using var query = new NpgsqlCommand("""
                SELECT refresh_due_at <= now() OR lease_until IS NOT NULL OR failure_count > 0
                    OR last_refreshed_at IS NOT NULL
                FROM tokens WHERE client_id = @id
                """, db);
            query.Parameters.AddWithValue("id", clientId);
            return (bool)(await query.ExecuteScalarAsync())!;
        }, DueTimeout, $"the token of client {clientId} never became due");
}
