using Microsoft.EntityFrameworkCore;
using Npgsql;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Refresher;

/// <summary>
/// The migrations are applied by token-api at start in Development, by `Token.Api migrate` elsewhere; the
/// refresher's loops start once the newest one is in the database, instead of failing every second until then. The
/// check cannot fail itself, so it logs nothing while it waits. Then every key the database uses must be configured,
/// or the refresher stops (<see cref="EncryptionKeyUsage"/>).
/// </summary>
public sealed partial class SchemaReadiness(
    NpgsqlDataSource database, IServiceScopeFactory scopes, TimeProvider time, ILogger<SchemaReadiness> logger)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task WaitAsync(CancellationToken ct)
    {
        string newest;
        await using (var scope = scopes.CreateAsyncScope())
        {
            newest = scope.ServiceProvider.GetRequiredService<TokenDbContext>().Database.GetMigrations().Last();
        }
        var told = false;
        while (!await IsAppliedAsync(newest, ct))
        {
            if (!told)
            {
                LogWaiting(newest);
                told = true;
            }
            await Task.Delay(Poll, time, ct);
        }
        // A missing key stops the refresher (the exception goes on); the database going away meanwhile does not.
        while (!await EveryKeyIsConfiguredAsync(ct))
        {
            await Task.Delay(Poll, time, ct);
        }
    }

    private async Task<bool> EveryKeyIsConfiguredAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<EncryptionKeyUsage>().EnsureEveryKeyIsConfiguredAsync(ct);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private async Task<bool> IsAppliedAsync(string migration, CancellationToken ct)
    {
        try
        {
            await using var history = database.CreateCommand(
                "SELECT to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL");
            if (!(bool)(await history.ExecuteScalarAsync(ct))!)
            {
                return false;
            }
            await using var applied = database.CreateCommand(
                "SELECT EXISTS (SELECT 1 FROM \"__EFMigrationsHistory\" WHERE migration_id = $1)");
            applied.Parameters.AddWithValue(migration);
            return (bool)(await applied.ExecuteScalarAsync(ct))!;
        }
        // The database away, or its schema not made yet; not a role without the grants it needs, which no wait mends:
        // that stops the refresher, saying so.
        catch (NpgsqlException exception)
            when (exception is not PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege })
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information,
        "Waiting for migration {Migration} in tokendb (token-api applies it in Development, `migrate` elsewhere)")]
    private partial void LogWaiting(string migration);
}
