using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Token.Core.Data;

namespace Token.Api.Tests;

/// <summary>
/// Outside Development the schema changes in a step of its own, <c>Token.Api migrate</c>, run with the schema owner's
/// connection string; token-api itself never migrates there, and refuses to serve on a schema behind its own.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class MigrationStepTests(TokenApiFixture fixture)
{
    /// <summary>
    /// These processes work on a database before they end: a loaded machine may take longer than a settings check.
    /// </summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Migrate_brings_an_empty_database_to_the_schema_needing_only_its_connection_string()
    {
        var database = await fixture.CreateDatabaseAsync();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ConnectionStrings__tokendb"] = database
        };

        var (exitCode, output, errors) = await ServiceProcess.RunAsync("Token.Api", environment, ["migrate"], Timeout);
        Assert.True(exitCode == 0, $"migrate failed ({exitCode}): {errors}\n{output}");
        Assert.Contains($"tokendb: {Migrations().Count} migrations applied; the schema is current.", output);
        Assert.Equal(Migrations().Count, await AppliedAsync(database));

        var again = await ServiceProcess.RunAsync("Token.Api", environment, ["migrate"], Timeout);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("tokendb: 0 migrations applied", again.Output);
    }

    [Fact]
    public async Task Migrate_without_a_connection_string_says_so_in_one_line()
    {
        var (exitCode, _, errors) = await ServiceProcess.RunAsync(
            "Token.Api", new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, ["migrate"]);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("Token.Api cannot start: ConnectionStrings:tokendb is not set.", errors.Trim());
    }

    [Fact]
    public async Task In_production_token_api_refuses_a_schema_behind_its_own_and_changes_nothing()
    {
        var database = await fixture.CreateDatabaseAsync();
        var environment = ServiceProcess.Production();
        environment["ConnectionStrings__tokendb"] = database;

        var (exitCode, _, errors) = await ServiceProcess.RunAsync("Token.Api", environment, timeout: Timeout);

        Assert.NotEqual(0, exitCode);
        Assert.Equal($"Token.Api cannot start: the database lacks {Migrations().Count} migrations of this " +
            $"version (the newest is {Migrations()[^1]}): run `dotnet Token.Api.dll migrate` first.",
            errors.Trim());
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var tables = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", db);
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
    }

    /// <summary>The migrations this build knows, from token-api's own database context.</summary>
    private List<string> Migrations()
    {
        using var scope = fixture.Services.CreateScope();
        return [.. scope.ServiceProvider.GetRequiredService<TokenDbContext>().Database.GetMigrations()];
    }

    private static async Task<long> AppliedAsync(string database)
    {
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
