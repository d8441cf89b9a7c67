using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Token.Core.Data;

public static class TokenDatabaseExtensions
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
    /// Brings the schema to the newest migration. Runs before the host starts, so the service
    /// never answers (and never reports healthy) on an old schema.
    /// </summary>
    public static async Task MigrateTokenDatabaseAsync(this IHost host, CancellationToken cancellationToken = default)
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
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}
