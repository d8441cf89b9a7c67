using Npgsql;
using TokenPlatform.Hosting.Local;

namespace TokenPlatform.Testing;

/// <summary>
/// PostgreSQL (and RabbitMQ when asked) as local processes from the OS packages, started once for a test run with
/// the same scripts the AppHost's local mode uses, and stopped with their data when the run ends.
/// </summary>
public sealed class LocalServers(bool withRabbitMQ) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private LocalServerProcess? _postgres;
    private LocalServerProcess? _rabbitMQ;

    public string PostgresConnectionString => _postgres?.ConnectionString
        ?? throw new InvalidOperationException("PostgreSQL has not started.");

    public string RabbitMQConnectionString => _rabbitMQ?.ConnectionString
        ?? throw new InvalidOperationException(
            withRabbitMQ ? "RabbitMQ has not started." : "RabbitMQ was not asked for.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var postgres = LocalPostgres.StartAsync(DataDirectory("postgres"), timeout.Token);
        var rabbitMQ = withRabbitMQ
            ? LocalRabbitMQ.StartAsync(DataDirectory("rabbitmq"), timeout.Token)
            : Task.FromResult<LocalServerProcess>(null!);
        try
        {
            await Task.WhenAll(postgres, rabbitMQ);
        }
        finally
        {
            // Whichever started is kept, so that disposing stops it even when the other failed.
            _postgres = postgres.IsCompletedSuccessfully ? postgres.Result : null;
            _rabbitMQ = rabbitMQ.IsCompletedSuccessfully ? rabbitMQ.Result : null;
        }
    }

    /// <summary>A new, empty database on the server, for a fixture that must not see another's rows.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_rabbitMQ is not null)
        {
            await _rabbitMQ.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static string DataDirectory(string server) =>
        Path.Combine(Path.GetTempPath(), $"tokenplatform-tests-{server}-{Guid.NewGuid():N}"[..40]);
}
