using Npgsql;

namespace TokenPlatform.Testing;

/// <summary>
/// The Python token service's database as its SQLAlchemy models created it (serial ids, naive UTC timestamps, tokens
/// and secrets in plain text), for tests and benchmarks of <c>import-seed</c>.
/// </summary>
public sealed class SeedDatabase(string connectionString)
{
    /// <summary>What <c>Base.metadata.create_all()</c> emits for the service's four models on PostgreSQL.</summary>
    public const string Schema = """
        CREATE TABLE clients (
            id SERIAL NOT NULL,
            client_id VARCHAR(255) NOT NULL,
            client_secret VARCHAR(255) NOT NULL,
            redirect_uri VARCHAR(500) NOT NULL,
            is_active BOOLEAN,
            created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
            updated_at TIMESTAMP WITHOUT TIME ZONE,
            PRIMARY KEY (id),
            UNIQUE (client_id)
        );
        CREATE INDEX ix_clients_id ON clients (id);
        CREATE TABLE branches (
            id SERIAL NOT NULL,
            branch_id VARCHAR(255) NOT NULL,
            client_id INTEGER NOT NULL,
            branch_name VARCHAR(255),
            email VARCHAR(255),
            description TEXT,
            account_id VARCHAR(255),
            location_id VARCHAR(255),
            is_active BOOLEAN,
            created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
            updated_at TIMESTAMP WITHOUT TIME ZONE,
            PRIMARY KEY (id),
            FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE,
            UNIQUE (branch_id)
        );
        CREATE INDEX ix_branches_id ON branches (id);
        CREATE TABLE tokens (
            id SERIAL NOT NULL,
            client_id INTEGER NOT NULL,
            access_token TEXT NOT NULL,
            refresh_token TEXT,
            expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            is_valid BOOLEAN,
            is_revoked BOOLEAN,
            last_refreshed_at TIMESTAMP WITHOUT TIME ZONE,
            created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
            updated_at TIMESTAMP WITHOUT TIME ZONE,
            PRIMARY KEY (id),
            FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_tokens_id ON tokens (id);
        CREATE TABLE oauth_states (
            id SERIAL NOT NULL,
            state VARCHAR(255) NOT NULL,
            client_id INTEGER NOT NULL,
            expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            is_used BOOLEAN,
            created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
            PRIMARY KEY (id),
            FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE,
            UNIQUE (state)
        );
        """;

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
