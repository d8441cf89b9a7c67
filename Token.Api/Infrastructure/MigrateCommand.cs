using Npgsql;
using Token.Core;
using Token.Core.Data;

namespace Token.Api.Infrastructure;

/// <summary>
/// <c>dotnet Token.Api.dll migrate</c>: brings the database to this version's schema and ends, 0 when it is current.
/// Run once before a rollout (a Kubernetes Job, a step of scripts/run-production.sh) with a connection string whose
/// role owns the schema; it needs nothing else of token-api's settings.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public static readonly RequiredSetting[] Required = [CoreSettings.TokenDatabase];

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Environment.ApplicationName = typeof(MigrateCommand).Assembly.GetName().Name!;
        builder.AddServiceDefaults();
        // EF Core logs the first look for its history table in a new database as a failed command; what fails here
        // ends the command with its message below.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        if (!builder.Hold(Required))
        {
            return 1;
        }
        builder.AddTokenDatabase();
        using var host = builder.Build();
        try
        {
            var applied = await host.MigrateTokenDatabaseAsync();
            Console.WriteLine(
                $"{TokenDatabaseExtensions.ConnectionName}: {applied} migrations applied; the schema is current.");
            return 0;
        }
        catch (NpgsqlException exception)
        {
            Console.Error.WriteLine($"{builder.Environment.ApplicationName} {Name} failed: {exception.Message}");
            return 1;
        }
    }
}
