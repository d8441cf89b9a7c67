using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;
using TokenPlatform.Hosting.Local;
using TokenPlatform.Testing;

namespace Chaos;

/// <summary>
/// The whole platform as separate local processes on loopback: PostgreSQL and RabbitMQ (their data kept across a
/// stop), the sandbox provider, 2 token-api, 2 token-refresher and the gateway in front of both token-api. Disposing
/// stops every one of them.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"tokenplatform-chaos-{Guid.NewGuid():N}"[..36]);
    private readonly List<ChildProcess> _servers = [];
    private readonly List<ChildProcess> _services = [];
    private Dictionary<string, string> _settings = [];

    public SandboxProcess Sandbox { get; } = new();
    public ChildProcess Postgres { get; private set; } = null!;
    public ChildProcess RabbitMQ { get; private set; } = null!;
    public string PostgresConnectionString { get; private set; } = "";
    public string RabbitMQConnectionString { get; private set; } = "";
    public string AdminApiKey { get; } = $"chaos-{Guid.NewGuid():N}";
    public string EncryptionKey { get; } = $"{Guid.NewGuid():N}{Guid.NewGuid():N}";
    public int PostgresPort { get; } = MachineProbe.FreeTcpPort();
    public int RabbitMQPort { get; } = MachineProbe.FreeTcpPort();
    public (ChildProcess Process, int Port)[] Apis { get; private set; } = [];
    public (ChildProcess Process, int Port)[] Refreshers { get; private set; } = [];
    public (ChildProcess Process, int Port) Gateway { get; private set; }

    public async Task StartServersAsync()
    {
        var binaries = MachineProbe.FindLocalBinaries();
        var pgData = Path.Combine(_data, "postgres");
        Directory.CreateDirectory(pgData);
        if (MachineProbe.IsRoot && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_data, (UnixFileMode)0b111_101_101);
            using var chown = Process.Start("chown", ["postgres:postgres", pgData]);
            await chown.WaitForExitAsync();
        }
        var pgPassword = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        Postgres = ChildProcess.Server("postgres-local", [pgData, "false", "tokendb"], "postgres", new Dictionary<string, string>
        {
            ["PGPORT"] = $"{PostgresPort}", ["POSTGRES_PASSWORD"] = pgPassword, ["PG_BIN"] = binaries.PostgresBinDirectory!
        });
        PostgresConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = PostgresPort, Username = "postgres", Password = pgPassword, Database = "tokendb"
        }.ConnectionString;
        var rabbitPassword = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        RabbitMQ = ChildProcess.Server("rabbitmq-local", [Path.Combine(_data, "rabbitmq"), "false"], null,
            new Dictionary<string, string>
            {
                ["RABBITMQ_NODE_PORT"] = $"{RabbitMQPort}", ["RABBITMQ_USER"] = "tokenplatform",
                ["RABBITMQ_PASSWORD"] = rabbitPassword, ["RABBITMQ_SERVER"] = binaries.RabbitMQServer!,
                ["RABBITMQ_DIST_PORT"] = $"{MachineProbe.FreeTcpPort()}", ["ERL_EPMD_PORT"] = $"{MachineProbe.FreeTcpPort()}"
            });
        RabbitMQConnectionString = $"amqp://tokenplatform:{rabbitPassword}@127.0.0.1:{RabbitMQPort}";
        _servers.AddRange([Postgres, RabbitMQ]);
        await Task.WhenAll(StartPostgresAsync(), StartRabbitMQAsync(), Sandbox.InitializeAsync());
    }

    public async Task StartPostgresAsync()
    {
        Postgres.Start();
        await Until("PostgreSQL", Postgres, TimeSpan.FromSeconds(60), PostgresAnswersAsync);
    }

    public async Task StartRabbitMQAsync()
    {
        RabbitMQ.Start();
        await Until("RabbitMQ", RabbitMQ, TimeSpan.FromSeconds(90), () => PortOpenAsync(RabbitMQPort));
    }

    /// <summary>
    /// Applies the migrations (token-api's migrate command), then starts 2 token-api, 2 token-refresher and the gateway.
    /// </summary>
    public async Task StartServicesAsync()
    {
        _settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:tokendb"] = PostgresConnectionString,
            ["ConnectionStrings:messaging"] = RabbitMQConnectionString,
            ["Auth:AdminApiKey"] = AdminApiKey,
            ["TokenEncryption:Keys"] = EncryptionKey,
            ["Providers:SandboxBaseUrl"] = Sandbox.BaseAddress.ToString(),
            ["Providers:TrustedOrigins:0"] = Sandbox.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PublicUrl:BaseUrl"] = "http://localhost:8002/",
            ["Logging:LogLevel:Default"] = "Warning",
            // The platform's own lines (each refresh's outcome), as evidence for what the run finds.
            ["Logging:LogLevel:Token"] = "Debug"
        };
        await using (var migrate =
                     ChildProcess.Service("migrate", "Token.Api", 0, _settings, restartOnExit: false, "migrate"))
        {
            var exit = await migrate.RunToEndAsync(TimeSpan.FromMinutes(2));
            if (exit != 0)
            {
                throw new InvalidOperationException($"migrate exited with {exit}:\n{migrate.LastLines}");
            }
        }
        var first = MachineProbe.FreeTcpPorts(5);
        int[] ports = [first, first + 1, first + 2, first + 3, first + 4];
        Apis = [.. Enumerable.Range(0, 2).Select(i => (ChildProcess.Service(
            $"token-api-{i + 1}", "Token.Api", ports[i], _settings, restartOnExit: true), ports[i]))];
        Refreshers = [.. Enumerable.Range(0, 2).Select(i => (ChildProcess.Service(
            $"token-refresher-{i + 1}", "Token.Refresher", ports[2 + i], _settings, restartOnExit: true), ports[2 + i]))];
        Gateway = (ChildProcess.Service("token-gateway", "Token.Gateway", ports[4], new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:token-api:Destinations:token-api:Address"] = $"http://127.0.0.1:{ports[0]}",
            ["ReverseProxy:Clusters:token-api:Destinations:token-api-2:Address"] = $"http://127.0.0.1:{ports[1]}",
            // The callers here are four loops with one key: the limits are not what this run measures.
            ["Gateway:RateLimits:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning"
        }, restartOnExit: true), ports[4]);
        _services.AddRange([.. Apis.Select(a => a.Process), .. Refreshers.Select(r => r.Process), Gateway.Process]);
        foreach (var service in _services)
        {
            service.Start();
        }
        if (await WaitHealthyAsync(TimeSpan.FromSeconds(90)) is null)
        {
            throw new TimeoutException("the services were not healthy within 90 s:\n" +
                string.Join("\n", _services.Select(s => $"--- {s.Name}\n{s.LastLines}")));
        }
    }

    /// <summary>Seconds until every service answers /health 200, or null when not within <paramref name="limit"/>.</summary>
    public async Task<double?> WaitHealthyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            var answers = await Task.WhenAll(Apis.Concat(Refreshers).Append(Gateway).Select(async service =>
            {
                try
                {
                    var path = service == Gateway ? "/gateway/health" : "/health";
                    using var response = await http.GetAsync($"http://127.0.0.1:{service.Port}{path}");
                    return response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }));
            if (answers.All(healthy => healthy))
            {
                return Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
            await Task.Delay(250);
        }
        return null;
    }

    /// <summary>
    /// Refreshes <paramref name="refresher"/> sent to the provider at least <paramref name="age"/> ago and has not stored
    /// yet: their attempt recorded under its lease (<c>lease_owner</c> is machine/pid/instance).
    /// </summary>
    public async Task<long> RefreshesInFlightAsync(ChildProcess refresher, TimeSpan age)
    {
        if (refresher.ProcessId is not { } pid)
        {
            return 0;
        }
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM tokens WHERE refresh_attempted_at < now() - $2 AND lease_owner LIKE $1", connection);
        count.Parameters.AddWithValue($"%/{pid}/%");
        count.Parameters.AddWithValue(age);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Each service that exited by itself during the run (and was started again), with how often.</summary>
    public string ExitedByThemselves => string.Join(", ", _services.Where(s => s.ExitedByItself > 0)
        .Select(s => $"{s.Name} ×{s.ExitedByItself}")) is { Length: > 0 } list ? list : "none";

    /// <summary>The services, stopped as an orchestrator stops them (SIGTERM), so that nothing changes any more.</summary>
    public Task StopServicesAsync() => Task.WhenAll(_services.Select(s => s.StopAsync()));

    public async ValueTask DisposeAsync()
    {
        await StopServicesAsync();
        await Task.WhenAll(_servers.Select(s => s.StopAsync()));
        await Sandbox.DisposeAsync();
        foreach (var process in _services.Concat(_servers))
        {
            await process.DisposeAsync();
        }
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not remove {_data}: {e.Message}");
        }
    }

    private async Task<bool> PostgresAnswersAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(
                new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static async Task<bool> PortOpenAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task Until(string what, ChildProcess process, TimeSpan limit, Func<Task<bool>> ready)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await ready())
        {
            if (!process.Running || Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new InvalidOperationException($"{what} did not come up:\n{process.LastLines}");
            }
            await Task.Delay(200);
        }
    }
}
