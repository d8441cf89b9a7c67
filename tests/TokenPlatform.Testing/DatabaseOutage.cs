using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>
/// One database goes away as in a restart: every connection to it is cut and new ones are refused, until the outage is
/// disposed. The server and its other databases stay, so tests that share the server are not touched.
/// </summary>
public sealed class DatabaseOutage : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _database;

    private DatabaseOutage(string connectionString)
    {
        _database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        _admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }
            .ConnectionString;
    }

    public static async Task<DatabaseOutage> BeginAsync(string connectionString)
    {
        var outage = new DatabaseOutage(connectionString);
        await outage.RunAsync(
            $"ALTER DATABASE \"{outage._database}\" ALLOW_CONNECTIONS false; " +
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{outage._database}'");
        return outage;
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS true");
        // The pools still hold the connections that were cut; the test's own reads should not meet them.
        NpgsqlConnection.ClearAllPools();
    }

    private async Task RunAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
