using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>
/// The Python token service's database as its SQLAlchemy models created it (serial ids, naive UTC timestamps, tokens
/// and secrets in plain text), for tests and benchmarks of <c>import-seed</c>.
/// </summary>
public sealed class SeedDatabase(string connectionString)
{
    /// <summary>The schema file, <c>seed-schema.sql</c>, next to this assembly (bench/import.sh reads it too).</summary>
    public static string Schema => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed-schema.sql"));

    public string ConnectionString => connectionString;

    public Task CreateSchemaAsync() => ExecuteAsync(Schema);

    public Task AddClientAsync(int id, string clientId, string secret, bool isActive = true) => ExecuteAsync(
        "INSERT INTO clients (id, client_id, client_secret, redirect_uri, is_active, created_at, updated_at) " +
        "VALUES ($1, $2, $3, 'https://reviews.example.com/oauth/callback', $4, $5, $5)",
        id, clientId, secret, isActive, Naive(DateTime.UtcNow.AddDays(-30)));

    public Task AddBranchAsync(int id, string branchId, int clientId, string? name = null, string? email = null,
        string? description = null, string? accountId = null, string? locationId = null) => ExecuteAsync(
        "INSERT INTO branches (id, branch_id, client_id, branch_name, email, description, account_id, location_id, " +
        "is_active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $9)",
        id, branchId, clientId, (object?)name ?? DBNull.Value, (object?)email ?? DBNull.Value,
        (object?)description ?? DBNull.Value, (object?)accountId ?? DBNull.Value, (object?)locationId ?? DBNull.Value,
        Naive(DateTime.UtcNow.AddDays(-20)));

    /// <summary>A token row; <paramref name="createdAgo"/> orders a client's tokens (the newest is the smallest).</summary>
    public Task AddTokenAsync(int clientId, string accessToken, string? refreshToken, DateTime expiresAt,
        TimeSpan createdAgo, bool isValid = true, bool isRevoked = false) => ExecuteAsync(
        "INSERT INTO tokens (client_id, access_token, refresh_token, expires_at, is_valid, is_revoked, created_at, " +
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        clientId, accessToken, (object?)refreshToken ?? DBNull.Value, Naive(expiresAt), isValid, isRevoked,
        Naive(DateTime.UtcNow - createdAgo));

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A UTC time as the service stored it: <c>datetime.utcnow()</c>, no zone.</summary>
    private static DateTime Naive(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);
}
