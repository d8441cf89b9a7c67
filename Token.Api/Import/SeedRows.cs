using System.Data;
using System.Data.Common;
using Npgsql;

namespace Token.Api.Import;

/// <summary>A client of the Python service, as its <c>clients</c> table holds it (the secret in plain text).</summary>
internal sealed record SeedClient(
    int Id, string ClientId, string ClientSecret, string RedirectUri, bool IsActive, DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>A branch of the Python service, every field of its <c>branches</c> table.</summary>
internal sealed record SeedBranch(
    int Id, string BranchId, int ClientId, string? BranchName, string? Email, string? Description,
    string? AccountId, string? LocationId, bool IsActive, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);

/// <summary>A client's newest token that is neither revoked nor invalid (plain text in the Python service).</summary>
internal sealed record SeedToken(
    int Id, int ClientId, string AccessToken, string? RefreshToken, string TokenType, DateTimeOffset ExpiresAt,
    DateTimeOffset? LastRefreshedAt, DateTimeOffset? CreatedAt);

/// <summary>What the Python service's database holds that the platform takes over.</summary>
internal sealed record SeedData(
    IReadOnlyList<SeedClient> Clients, IReadOnlyList<SeedBranch> Branches,
    IReadOnlyDictionary<int, SeedToken> UsableTokens, IReadOnlySet<int> ClientsWithTokens);

/// <summary>A source row the import cannot take, and where it is.</summary>
internal sealed class SeedRowException(string table, object id, string problem)
    : Exception($"source table {table}, row id {id}: {problem}");

/// <summary>
/// Reads the Python service's PostgreSQL database as its SQLAlchemy models made it: by column name, so extra columns
/// do no harm; naive timestamps are UTC, as that service wrote them.
/// </summary>
internal static class SeedDatabase
{
    public static async Task<SeedData> ReadAsync(string connectionString, CancellationToken ct)
    {
        // One snapshot of the source, though its service may still be writing: the tables are read side by side,
        // each on a connection of its own that imports the snapshot this one exports and holds.
        await using var exporter = new NpgsqlConnection(connectionString);
        await exporter.OpenAsync(ct);
        await using var snapshot = await exporter.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var export = new NpgsqlCommand("SELECT pg_export_snapshot()", exporter);
        var snapshotId = (string)(await export.ExecuteScalarAsync(ct))!;
        Task<List<T>> Read<T>(string query, string table, Func<SeedRow, T> read) =>
            ReadAsync(connectionString, snapshotId, query, table, read, ct);

        var clients = Read("SELECT * FROM clients", "clients", row => new SeedClient(
            row.Id, row.Text("client_id"), row.Text("client_secret"), row.Text("redirect_uri"),
            row.Flag("is_active", true), row.Time("created_at"), row.Time("updated_at")));
        var branches = Read("SELECT * FROM branches", "branches", row => new SeedBranch(
            row.Id, row.Text("branch_id"), row.Number("client_id"), row.NullableText("branch_name"),
            row.NullableText("email"), row.NullableText("description"), row.NullableText("account_id"),
            row.NullableText("location_id"), row.Flag("is_active", true), row.Time("created_at"),
            row.Time("updated_at")));
        var tokens = Read("""
            SELECT DISTINCT ON (client_id) * FROM tokens
            WHERE coalesce(is_valid, true) AND NOT coalesce(is_revoked, false)
            ORDER BY client_id, created_at DESC NULLS LAST, id DESC
            """, "tokens", row => new SeedToken(
            row.Id, row.Number("client_id"), row.Text("access_token"), row.NullableText("refresh_token"),
            row.OptionalText("token_type") ?? "Bearer",
            row.Time("expires_at") ?? throw row.Problem("expires_at is empty"), row.Time("last_refreshed_at"),
            row.Time("created_at")));
        var withTokens = Read("SELECT DISTINCT client_id AS id FROM tokens", "tokens", row => row.Id);
        await Task.WhenAll(clients, branches, tokens, withTokens);
        return new SeedData(await clients, await branches, (await tokens).ToDictionary(token => token.ClientId),
            (await withTokens).ToHashSet());
    }

    private static async Task<List<T>> ReadAsync<T>(string connectionString, string snapshotId, string query,
        string table, Func<SeedRow, T> read, CancellationToken ct)
    {
        await using var source = new NpgsqlConnection(connectionString);
        await source.OpenAsync(ct);
        await using var transaction = await source.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using (var import = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{snapshotId}'", source))
        {
            await import.ExecuteNonQueryAsync(ct);
        }
        await using var command = new NpgsqlCommand(query, source);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var row = new SeedRow(reader, table);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(row));
        }
        return rows;
    }

    /// <summary>The current row of a reader, its columns by name.</summary>
    private sealed class SeedRow(DbDataReader reader, string table)
    {
        private readonly Dictionary<string, int> _columns = Enumerable.Range(0, reader.FieldCount)
            .ToDictionary(reader.GetName, ordinal => ordinal, StringComparer.OrdinalIgnoreCase);

        public int Id => Number("id");

        public int Number(string column) => Value(column) switch
        {
            int number => number,
            long number when number is >= int.MinValue and <= int.MaxValue => (int)number,
            short number => number,
            null => throw Problem($"{column} is empty"),
            var other => throw Problem($"{column} is not an integer ({other.GetType().Name})")
        };

        public string Text(string column) =>
            NullableText(column) is { Length: > 0 } text ? text : throw Problem($"{column} is empty");

        public string? NullableText(string column) => Value(column) as string;

        /// <summary>A column that some versions of the service did not have.</summary>
        public string? OptionalText(string column) => _columns.ContainsKey(column) ? NullableText(column) : null;

        public bool Flag(string column, bool whenNull) => Value(column) as bool? ?? whenNull;

        public DateTimeOffset? Time(string column) => Value(column) switch
        {
            null => null,
            DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
            DateTimeOffset time => time.ToUniversalTime(),
            var other => throw Problem($"{column} is not a timestamp ({other.GetType().Name})")
        };

        public SeedRowException Problem(string problem) =>
            new(table, _columns.TryGetValue("id", out var id) ? reader.GetValue(id) : "?", problem);

        private object? Value(string column) =>
            _columns.TryGetValue(column, out var ordinal)
                ? reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal)
                : throw Problem($"the column {column} does not exist");
    }
}
