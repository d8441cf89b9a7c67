using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Token.Core.Data;

public static partial class TokenDatabaseExtensions
{
    /// <summary>The Aspire resource and connection-string name of the database.</summary>
    public const string ConnectionName = "tokendb";

    private static readonly ActivitySource ActivitySource = new("Token.Core.Data");
    private const string AutoPrepare = "Max Auto Prepare";

    /// <summary>
    /// The advisory lock that serializes migrations (a pooled connection keeps it until it is unlocked).
    /// </summary>
    private const long MigrationLock = 0x746F6B656E6462; // "tokendb"

    public static TBuilder AddTokenDatabase<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // No retrying execution strategy: a refresh's write-back and a revocation follow a call to the provider,
        // which must never be replayed behind the caller's back.
        builder.AddNpgsqlDbContext<TokenDbContext>(ConnectionName, settings =>
        {
            settings.DisableRetry = true;
            if (settings.ConnectionString is { } connectionString)
            {
                settings.ConnectionString = WithPreparedStatements(connectionString);
            }
        }, UseTokenDbConventions);
        builder.Services.AddHealthChecks().AddCheck<TokenDatabaseSchemaHealthCheck>("tokendb-schema");
        return builder;
    }

    /// <summary>
    /// The connection string with Npgsql's automatic preparation on, unless it says otherwise
    /// (docs/architecture.md, "Prepared statements").
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys holds what the string set, under Npgsql's own names, so "MaxAutoPrepare=0" counts as well.
        if (!settings.Keys.Cast<string>().Contains(AutoPrepare, StringComparer.OrdinalIgnoreCase))
        {
            settings.MaxAutoPrepare = 64;
        }
        return settings.ConnectionString;
    }

    /// <summary>Options every <see cref="TokenDbContext"/> needs, at run time and at design time alike.</summary>
    public static void UseTokenDbConventions(DbContextOptionsBuilder options) => options.UseSnakeCaseNamingConvention();

    /// <summary>
    /// Whether token-api brings the schema up to date when it starts (<c>Database:MigrateOnStart</c>): by default
    /// only in Development. Elsewhere the migration is a step of its own (<c>Token.Api migrate</c>), run with a role
    /// that owns the schema, while the services' role can only read and write rows (docs/deployment.md).
    /// </summary>
    public const string MigrateOnStartSetting = "Database:MigrateOnStart";

    /// <summary>
    /// How long a service waits at start for a database it cannot reach (restarting, failing over) before it ends:
    /// within the liveness allowance of the Kubernetes manifests (docs/deployment.md), and long enough that a restart
    /// of the database does not send the service into an orchestrator's growing back-off.
    /// </summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan StartPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Applies the pending migrations when <see cref="MigrateOnStartSetting"/> says so; otherwise checks that none is
    /// pending. A database that cannot be reached is tried again every second for up to <see cref="StartWait"/>.
    /// False, after one line on standard error saying what to do, when the schema is behind this build or the
    /// database stays out of reach: the service then ends instead of answering on an old schema.
    /// </summary>
    public static async Task<bool> EnsureTokenSchemaAsync(
        this IHost host, CancellationToken cancellationToken = default)
    {
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        var migrate = host.Services.GetRequiredService<IConfiguration>().GetValue(
            MigrateOnStartSetting, environment.IsDevelopment());
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TokenDatabaseExtensions));
        var started = Stopwatch.GetTimestamp();
        var told = false;
        while (true)
        {
            try
            {
                return await CheckOrMigrateSchemaAsync(host, migrate, environment, cancellationToken);
            }
            catch (Exception exception) when (DatabaseFailures.IsUnavailable(exception)
                && Stopwatch.GetElapsedTime(started) < StartWait)
            {
                if (!told)
                {
                    LogWaitingForDatabase(logger, StartWait.TotalSeconds, exception.Message);
                    told = true;
                }
                await Task.Delay(StartPoll, cancellationToken);
            }
            catch (NpgsqlException exception)
            {
                Console.Error.WriteLine($"{environment.ApplicationName} cannot start: " + (exception is PostgresException
                    ? $"the database refused: {exception.Message}"
                    : $"the database cannot be reached: {exception.Message}"));
                return false;
            }
        }
    }

    private static async Task<bool> CheckOrMigrateSchemaAsync(
        IHost host, bool migrate, IHostEnvironment environment, CancellationToken cancellationToken)
    {
        if (migrate)
        {
            await host.MigrateTokenDatabaseAsync(cancellationToken);
            return true;
        }
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>().Database;
        var pending = (await db.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return true;
        }
        Console.Error.WriteLine($"{environment.ApplicationName} cannot start: the database lacks {pending.Count} " +
            $"migrations of this version (the newest is {pending[^1]}): run `{MigrateCommand}` first.");
        return false;
    }

    [LoggerMessage(LogLevel.Warning, "The database cannot be reached; trying again every second for up to " +
        "{StartWaitSeconds} s before giving up: {Reason}")]
    private static partial void LogWaitingForDatabase(ILogger logger, double startWaitSeconds, string reason);

    /// <summary>The migration step, as an operator runs it from token-api's published output.</summary>
    public const string MigrateCommand = "dotnet Token.Api.dll migrate";

    /// <summary>
    /// Brings the schema to the newest migration and returns how many were applied. Concurrent callers (replicas
    /// migrating on start in Development, a migration Job) wait for each other.
    /// </summary>
    public static async Task<int> MigrateTokenDatabaseAsync(
        this IHost host, CancellationToken cancellationToken = default)
    {
        using var activity = ActivitySource.StartActivity("Migrate tokendb");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(
            typeof(TokenDatabaseExtensions));

        // Replicas start together: one migrates while the others wait for this lock, then find nothing pending.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            activity?.SetTag("tokendb.migrations.pending", pending.Count);
            logger.LogInformation(
                "Applying {PendingMigrationCount} pending migrations to {Database}", pending.Count, ConnectionName);
            await db.Database.MigrateAsync(cancellationToken);
            return pending.Count;
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}
