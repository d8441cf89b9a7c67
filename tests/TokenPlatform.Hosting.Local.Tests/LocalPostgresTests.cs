using Npgsql;

namespace TokenPlatform.Hosting.Local.Tests;

public sealed class LocalPostgresTests
{
    [Fact]
    public Task A_started_server_answers_queries_and_once_disposed_leaves_no_folder_and_no_listener() =>
        Machine.StartUseAndStop(LocalPostgres.StartAsync, async postgres =>
            Assert.Equal(1, await QueryAsync(postgres, "SELECT 1")));

    [Fact]
    public async Task The_server_serves_the_database_it_was_asked_for()
    {
        await using var postgres = await LocalPostgres.StartAsync(Machine.NewDataDirectory("postgres"), "orders");

        Assert.Equal("orders", await QueryAsync(postgres, "SELECT current_database()"));
    }

    [Fact]
    public async Task A_server_that_cannot_start_is_reported_with_its_last_output_and_its_folder_is_removed()
    {
        // initdb refuses a folder that already holds something.
        var dataDirectory = Machine.NewDataDirectory("postgres");
        Directory.CreateDirectory(dataDirectory);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "left-over"), "");

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(
            () => LocalPostgres.StartAsync(dataDirectory));

        Assert.Contains("postgres-local exited with code", error.Message);
        Assert.Contains("not empty", error.Message);
        Assert.False(Directory.Exists(dataDirectory));
    }

    private static async Task<object?> QueryAsync(LocalServerProcess postgres, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(sql, connection);
        return await query.ExecuteScalarAsync();
    }
}
