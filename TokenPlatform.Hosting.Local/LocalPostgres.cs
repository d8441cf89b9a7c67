using Npgsql;

namespace TokenPlatform.Hosting.Local;

/// <summary>
/// Starts PostgreSQL from the OS packages through the AppHost's own script, without Aspire: for tests that need a
/// real database, started once per test run. As root it runs as the <c>postgres</c> user (through runuser).
/// </summary>
public static class LocalPostgres
{
    /// <summary>The database the server is created with when no name is given: the AppHost's.</summary>
    public const string DefaultDatabaseName = "tokendb";

    /// <inheritdoc cref="StartAsync(string, string, CancellationToken)"/>
    public static Task<LocalServerProcess> StartAsync(
        string dataDirectory, CancellationToken cancellationToken = default) =>
        StartAsync(dataDirectory, DefaultDatabaseName, cancellationToken);

    /// <summary>
    /// Creates a server with one database, <paramref name="databaseName"/>, on a free port, and returns once it
    /// accepts connections; <see cref="LocalServerProcess.ConnectionString"/> connects as <c>postgres</c>.
    /// Dispose the result to stop the server.
    /// </summary>
    /// <param name="dataDirectory">
    /// A folder that does not exist yet; it is removed again. As root, the <c>postgres</c> user must be able to reach
    /// it: a folder under <see cref="Path.GetTempPath"/> is fine, one under <c>/root</c> is not.
    /// </param>
    /// <exception cref="InfrastructureUnavailableException">
    /// PostgreSQL (or, as root, runuser) is not installed.
    /// </exception>
    /// <exception cref="TimeoutException">
    /// Not ready within <see cref="LocalServerProcess.ReadinessTimeout"/>; the message has the server's last lines.
    /// </exception>
    /// <exception cref="InvalidOperationException">The server stopped while starting; the message says why.</exception>
    public static Task<LocalServerProcess> StartAsync(
        string dataDirectory, string databaseName, CancellationToken cancellationToken = default)
    {
        var binaries = LocalServerProcess.RequireBinaries(postgres: true, rabbitMQ: false);
        return LocalServerProcess.StartAsync(
            port =>
            {
                var password = LocalServerProcess.NewPassword();
                return (LocalServerScript.Postgres(dataDirectory, ephemeral: true, databaseName, password, binaries),
                    new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1", Port = port, Username = "postgres", Password = password,
                        Database = databaseName
                    }.ConnectionString);
            },
            AcceptsConnectionsAsync, cancellationToken);
    }

    private static async Task<bool> AcceptsConnectionsAsync(
        string connectionString, CancellationToken cancellationToken)
    {
        // Unpooled: a probe's connection should not stay open in the caller's pool.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(unpooled);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            // Refused while the port is closed, or "the database system is starting up".
            return false;
        }
    }
}
