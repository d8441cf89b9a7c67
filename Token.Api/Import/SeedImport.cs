using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Token.Core.Data;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Import;

/// <summary>How many rows of one kind were new, already on the platform, in conflict, or not taken.</summary>
internal sealed record ImportCounts(int New, int Present, int Conflicts, int Skipped);

/// <summary>What an import did (or, in a dry run, would do); no secret in it.</summary>
internal sealed record ImportReport(
    ImportCounts Clients, ImportCounts Branches, ImportCounts Grants, IReadOnlyList<string> Conflicts,
    int ClientsWithoutTokens, int ClientsWithOnlyUnusableTokens);

/// <summary>
/// Writes the Python service's clients, branches and usable grants into the platform's database, in one transaction:
/// ids kept, secrets and tokens encrypted on the way in, rows already imported left as they are, and a row whose id
/// (or client_id, branch_id) is taken by another never overwritten but reported. New rows go in by binary COPY.
/// </summary>
internal sealed class SeedImport(
    TokenDbContext db, SecretProtector protector, RefreshSchedule schedule, TimeProvider time)
{
    private static readonly ActivitySource ActivitySource = new("Token.Api.Import");

    /// <summary>Two imports at once would both find the same ids free: the second waits for the first.</summary>
    private const long ImportLock = 0x73656564696D70; // "seedimp"

    public async Task<ImportReport> RunAsync(SeedData seed, string provider, bool dryRun, CancellationToken ct)
    {
        using var activity = ActivitySource.StartActivity("Import seed");
        var now = time.GetUtcNow();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({ImportLock})", ct);

        var conflicts = new List<string>();
        var clients = await ClassifyClientsAsync(connection, seed.Clients, conflicts, ct);
        var taken = clients.Kept.Select(client => client.Id).ToHashSet();
        var branches = await ClassifyBranchesAsync(connection, seed.Branches, taken, conflicts, ct);
        var withGrant = await IdsAsync(connection, "SELECT client_id FROM tokens", ct);
        var grants = taken.Where(id => seed.UsableTokens.ContainsKey(id) && !withGrant.Contains(id))
            .Select(id => seed.UsableTokens[id]).ToList();
        var withoutTokens = taken.Count(id => !seed.ClientsWithTokens.Contains(id));
        var onlyUnusable = taken.Count(id => seed.ClientsWithTokens.Contains(id) && !seed.UsableTokens.ContainsKey(id));

        await WriteClientsAsync(connection, clients.New, provider, now, ct);
        await WriteBranchesAsync(connection, branches.New, now, ct);
        await WriteGrantsAsync(connection, grants, provider, now, ct);
        if (dryRun)
        {
            await transaction.RollbackAsync(ct);
        }
        else
        {
            await transaction.CommitAsync(ct);
        }

        var report = new ImportReport(
            new ImportCounts(clients.New.Count, clients.Kept.Count - clients.New.Count, clients.Conflicts, 0),
            new ImportCounts(branches.New.Count, branches.Present, branches.Conflicts, branches.Skipped),
            new ImportCounts(
                grants.Count, taken.Count(withGrant.Contains), 0, seed.Clients.Count - grants.Count
                    - taken.Count(withGrant.Contains)),
            conflicts, withoutTokens, onlyUnusable);
        activity?.SetTag("import.dry_run", dryRun);
        activity?.SetTag("import.clients.new", report.Clients.New);
        activity?.SetTag("import.branches.new", report.Branches.New);
        activity?.SetTag("import.grants.new", report.Grants.New);
        activity?.SetTag("import.conflicts", conflicts.Count);
        return report;
    }

    /// <summary>
    /// The seed's clients the platform keeps (new, or imported before: the same id and client_id) and the new ones;
    /// an id or client_id the platform gives to another client is a conflict.
    /// </summary>
    private static async Task<(List<SeedClient> Kept, List<SeedClient> New, int Conflicts)> ClassifyClientsAsync(
        NpgsqlConnection connection, IReadOnlyList<SeedClient> seed, List<string> conflicts, CancellationToken ct)
    {
        var existing = await ExistingRows.LoadAsync(connection, "clients", "client", "client_id", ct);
        var (kept, added, conflicted) = (new List<SeedClient>(), new List<SeedClient>(), 0);
        foreach (var client in seed)
        {
            if (existing.Conflict(client.Id, client.ClientId) is { } conflict)
            {
                conflicts.Add(conflict);
                conflicted++;
                continue;
            }
            kept.Add(client);
            if (!existing.Has(client.Id))
            {
                added.Add(client);
            }
        }
        return (kept, added, conflicted);
    }

    /// <summary>As for clients, by id and branch_id; a branch of a client not kept is skipped.</summary>
    private static async Task<(List<SeedBranch> New, int Present, int Conflicts, int Skipped)> ClassifyBranchesAsync(
        NpgsqlConnection connection, IReadOnlyList<SeedBranch> seed, HashSet<int> keptClients, List<string> conflicts,
        CancellationToken ct)
    {
        var existing = await ExistingRows.LoadAsync(connection, "branches", "branch", "branch_id", ct);
        var (added, present, conflicted, skipped) = (new List<SeedBranch>(), 0, 0, 0);
        foreach (var branch in seed)
        {
            if (!keptClients.Contains(branch.ClientId))
            {
                skipped++;
            }
            else if (existing.Conflict(branch.Id, branch.BranchId) is { } conflict)
            {
                conflicts.Add(conflict);
                conflicted++;
            }
            else if (existing.Has(branch.Id))
            {
                present++;
            }
            else
            {
                added.Add(branch);
            }
        }
        return (added, present, conflicted, skipped);
    }

    /// <summary>One of the platform's tables by id and by its other unique key (client_id, branch_id).</summary>
    private sealed class ExistingRows(string kind, string key)
    {
        private readonly Dictionary<int, string> _byId = [];
        private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

        public static async Task<ExistingRows> LoadAsync(
            NpgsqlConnection connection, string table, string kind, string key, CancellationToken ct)
        {
            var rows = new ExistingRows(kind, key);
            await using var reader = await ReaderAsync(connection, $"SELECT id, {key} FROM {table}", ct);
            while (await reader.ReadAsync(ct))
            {
                rows._byId[reader.GetInt32(0)] = reader.GetString(1);
                rows._byKey[reader.GetString(1)] = reader.GetInt32(0);
            }
            return rows;
        }

        public bool Has(int id) => _byId.ContainsKey(id);

        /// <summary>Why a seed row cannot be taken (its id or key is another row's here), or null.</summary>
        public string? Conflict(int id, string value)
        {
            var problem = _byId.TryGetValue(id, out var there)
                ? there == value ? null : $"id {id} is {key} '{there}' on the platform"
                : _byKey.TryGetValue(value, out var otherId)
                    ? $"{key} '{value}' is {kind} id {otherId} on the platform"
                    : null;
            return problem is null ? null : $"{kind} {id} ('{value}'): {problem}; left as it is";
        }
    }

    private Task WriteClientsAsync(
        NpgsqlConnection connection, List<SeedClient> clients, string provider, DateTimeOffset now,
        CancellationToken ct) =>
        CopyAsync(connection, "clients",
            "id, client_id, client_secret, redirect_uri, provider, is_active, created_at, updated_at", clients,
            (copy, client) =>
            {
                var created = client.CreatedAt ?? now;
                copy.Write(client.Id, NpgsqlDbType.Integer);
                copy.Write(client.ClientId, NpgsqlDbType.Text);
                copy.Write(
                    protector.Protect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId)),
                    NpgsqlDbType.Bytea);
                copy.Write(client.RedirectUri, NpgsqlDbType.Text);
                copy.Write(provider, NpgsqlDbType.Text);
                copy.Write(client.IsActive, NpgsqlDbType.Boolean);
                copy.Write(created.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write((client.UpdatedAt ?? created).UtcDateTime, NpgsqlDbType.TimestampTz);
            }, movesIds: true, ct);

    private static Task WriteBranchesAsync(
        NpgsqlConnection connection, List<SeedBranch> branches, DateTimeOffset now, CancellationToken ct) =>
        CopyAsync(connection, "branches",
            "id, branch_id, client_id, branch_name, email, description, account_id, location_id, is_active, " +
            "created_at, updated_at", branches,
            (copy, branch) =>
            {
                var created = branch.CreatedAt ?? now;
                copy.Write(branch.Id, NpgsqlDbType.Integer);
                copy.Write(branch.BranchId, NpgsqlDbType.Text);
                copy.Write(branch.ClientId, NpgsqlDbType.Integer);
                copy.Write(branch.BranchName, NpgsqlDbType.Text);
                copy.Write(branch.Email, NpgsqlDbType.Text);
                copy.Write(branch.Description, NpgsqlDbType.Text);
                copy.Write(branch.AccountId, NpgsqlDbType.Text);
                copy.Write(branch.LocationId, NpgsqlDbType.Text);
                copy.Write(branch.IsActive, NpgsqlDbType.Boolean);
                copy.Write(created.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write((branch.UpdatedAt ?? created).UtcDateTime, NpgsqlDbType.TimestampTz);
            }, movesIds: true, ct);

    /// <summary>
    /// Each as the client's grant, version 1, due for refresh by its expiry like any other (an expired one at once).
    /// </summary>
    private Task WriteGrantsAsync(NpgsqlConnection connection, List<SeedToken> grants, string provider,
        DateTimeOffset now, CancellationToken ct) =>
        CopyAsync(connection, "tokens",
            "client_id, access_token, refresh_token, token_type, expires_at, is_valid, is_revoked, version, " +
            "last_refreshed_at, created_at, updated_at, refresh_due_at, failure_count", grants,
            (copy, grant) =>
            {
                var issued = grant.LastRefreshedAt ?? grant.CreatedAt ?? now;
                copy.Write(grant.ClientId, NpgsqlDbType.Integer);
                copy.Write(
                    protector.Protect(grant.AccessToken, SecretContext.AccessToken(grant.ClientId)),
                    NpgsqlDbType.Bytea);
                copy.Write(
                    grant.RefreshToken is null
                        ? null
                        : protector.Protect(grant.RefreshToken, SecretContext.RefreshToken(grant.ClientId)),
                    NpgsqlDbType.Bytea);
                copy.Write(grant.TokenType, NpgsqlDbType.Text);
                copy.Write(grant.ExpiresAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(true, NpgsqlDbType.Boolean);
                copy.Write(false, NpgsqlDbType.Boolean);
                copy.Write(1L, NpgsqlDbType.Bigint);
                copy.Write(grant.LastRefreshedAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write((grant.CreatedAt ?? now).UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(now.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(
                    schedule.DueAt(issued, grant.ExpiresAt, provider).UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(0, NpgsqlDbType.Integer);
            }, movesIds: false, ct);

    /// <summary>
    /// Writes the rows by binary COPY, each by <paramref name="write"/>. When the rows keep their ids
    /// (<paramref name="movesIds"/>), the table's id sequence then moves past them, so that rows made on the
    /// platform from now on get ids above the imported ones.
    /// </summary>
    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, string columns,
        List<T> rows, Action<NpgsqlBinaryImporter, T> write, bool movesIds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in rows)
            {
                copy.StartRow();
                write(copy, row);
            }
            await copy.CompleteAsync(ct);
        }
        if (movesIds)
        {
            await Execute(
                connection, $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}", ct);
        }
    }

    private static async Task<HashSet<int>> IdsAsync(NpgsqlConnection connection, string query, CancellationToken ct)
    {
        var ids = new HashSet<int>();
        await using var reader = await ReaderAsync(connection, query, ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }

    private static async Task<NpgsqlDataReader> ReaderAsync(
        NpgsqlConnection connection, string query, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(query, connection);
        return await command.ExecuteReaderAsync(ct);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
