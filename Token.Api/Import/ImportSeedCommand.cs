using Npgsql;
using Token.Api.Infrastructure;
using Token.Core;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Import;

/// <summary>
/// <c>dotnet Token.Api.dll import-seed --source "&lt;Npgsql connection string&gt;" [--dry-run] [--provider NAME]</c>:
/// takes over the Python service's database (docs/migrating-from-the-python-service.md). The target database and
/// the encryption keys come from token-api's own settings; run it with the schema owner's connection string, as
/// <see cref="MigrateCommand"/>, since it moves the id sequences. Exit code 0 when it is done (conflicts are listed,
/// never overwritten), 1 when it failed and wrote nothing, 2 when the command line is wrong.
/// </summary>
public static class ImportSeedCommand
{
    public const string Name = "import-seed";

    private const string Usage =
        "usage: Token.Api import-seed --source \"<Npgsql connection string>\" [--dry-run] [--provider NAME]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var source, out var dryRun, out var provider, out var settings))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var builder = Host.CreateApplicationBuilder(settings);
        builder.Environment.ApplicationName = typeof(ImportSeedCommand).Assembly.GetName().Name!;
        builder.AddServiceDefaults();
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        if (!builder.Hold([CoreSettings.TokenDatabase, CoreSettings.EncryptionKeys]))
        {
            return 1;
        }
        builder.AddTokenDatabase();
        builder.AddTokenServices();
        builder.Services.AddScoped<SeedImport>();
        using var host = builder.Build();
        var name = builder.Environment.ApplicationName;
        // The source is read while the platform's database is checked; a failed check leaves it unread.
        var reading = ReadSourceAsync(source);
        if (!await host.EnsureTokenSchemaAsync())
        {
            return 1;
        }

        try
        {
            await host.EnsureEncryptionKeysAsync();
            await using var scope = host.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<ProviderCatalog>().FindAsync(provider, default) is null)
            {
                Console.Error.WriteLine($"{name} {Name} failed: the platform has no provider '{provider}' " +
                    "(register it with POST /providers, or name another with --provider). Nothing was written.");
                return 1;
            }
            var report = await scope.ServiceProvider.GetRequiredService<SeedImport>()
                .RunAsync(await reading, provider, dryRun, default);
            Print(report, dryRun);
            return 0;
        }
        catch (Exception exception) when (exception is SeedSourceException or SeedRowException or NpgsqlException
            or SecretUnreadableException or ArgumentException)
        {
            var where = exception is SeedSourceException or SeedRowException
                ? "reading the source database"
                : "writing the platform's database";
            Console.Error.WriteLine($"{name} {Name} failed {where}: {exception.Message}. Nothing was written.");
            return 1;
        }
    }

    private static async Task<SeedData> ReadSourceAsync(string source)
    {
        try
        {
            return await SeedDatabase.ReadAsync(source, default);
        }
        catch (Exception exception) when (exception is NpgsqlException or ArgumentException)
        {
            throw new SeedSourceException(exception.Message);
        }
    }

    private static void Print(ImportReport report, bool dryRun)
    {
        Console.WriteLine(dryRun ? "Dry run: nothing was written. The import would do this:" : "Imported:");
        Console.WriteLine($"  clients:  {Line(report.Clients)}");
        Console.WriteLine($"  branches: {Line(report.Branches)} (skipped: of clients in conflict)");
        Console.WriteLine($"  grants:   {Line(report.Grants)} (skipped: {report.ClientsWithoutTokens} clients " +
            $"without tokens, {report.ClientsWithOnlyUnusableTokens} with only revoked or invalid ones, the " +
            "rest in conflict)");
        foreach (var conflict in report.Conflicts.Take(MaxConflictsListed))
        {
            Console.WriteLine($"  conflict: {conflict}");
        }
        if (report.Conflicts.Count > MaxConflictsListed)
        {
            Console.WriteLine($"  ... and {report.Conflicts.Count - MaxConflictsListed} more conflicts");
        }
    }

    private const int MaxConflictsListed = 50;

    private static string Line(ImportCounts counts) =>
        $"{counts.New} new, {counts.Present} already present, {counts.Conflicts} in conflict, {counts.Skipped} skipped";

    private static bool TryParse(
        string[] args, out string source, out bool dryRun, out string provider, out string[] settings)
    {
        (source, dryRun, provider) = ("", false, ProviderDefinition.Google.Name);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--source" when i + 1 < args.Length:
                    source = args[++i];
                    break;
                case "--provider" when i + 1 < args.Length:
                    provider = args[++i];
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        settings = [.. rest];
        return source.Length > 0;
    }

    /// <summary>The source database could not be read (unreachable, refused, a table missing).</summary>
    private sealed class SeedSourceException(string message) : Exception(message);
}
