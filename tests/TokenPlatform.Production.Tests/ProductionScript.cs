using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using TokenPlatform.Hosting.Local;

namespace TokenPlatform.Production.Tests;

/// <summary>
/// One run of <c>scripts/run-production.sh</c> from this repository, with its own data folder and ports: it publishes
/// the services, starts its own PostgreSQL and RabbitMQ, and is stopped with SIGTERM as an operator stops it.
/// </summary>
public sealed class ProductionScript : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(8);
    // The script gives the services 30 s after SIGTERM, then the servers 30 s more.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The script's loopback ports from INTERNAL_PORT_BASE on, then the gateway's https and plain HTTP.</summary>
    private const int InternalPorts = 24;

    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private ProductionScript(Process process, string dataDirectory, int gatewayPort, int httpPort, int internalBase)
    {
        _process = process;
        DataDirectory = dataDirectory;
        PublicUrl = new Uri($"https://localhost:{gatewayPort}");
        PlainHttpUrl = new Uri($"http://localhost:{httpPort}");
        InternalPortBase = internalBase;
        _process.OutputDataReceived += (_, line) => Collect(line.Data);
        _process.ErrorDataReceived += (_, line) => Collect(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }
    public Uri PublicUrl { get; }
    public Uri PlainHttpUrl { get; }
    public int InternalPortBase { get; }
    public string Output => string.Join('\n', _output);

    public string AdminApiKey => Secret("ADMIN_API_KEY");

    /// <summary>What token-api and token-refresher connect as: the least-privilege role the script created.</summary>
    public string ServicesConnectionString =>
        $"Host=127.0.0.1;Port={InternalPortBase + 20};Database=tokendb;Username=tokenplatform_app;" +
        $"Password={Secret("TOKENDB_APP_PASSWORD")}";

    /// <summary>Starts the script with <paramref name="settings"/> in its environment; returns once ready.</summary>
    public static async Task<ProductionScript> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"production-tests-{Guid.NewGuid():N}");
        var internalBase = MachineProbe.FreeTcpPorts(InternalPorts + 2);
        var (gatewayPort, httpPort) = (internalBase + InternalPorts, internalBase + InternalPorts + 1);
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(Repository.Root, "scripts", "run-production.sh") },
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        // Nothing of the test run's own environment reaches the services: only what the script and these settings say.
        foreach (var name in start.Environment.Keys.Where(IsSetting).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["TOKENPLATFORM_DATA"] = dataDirectory;
        start.Environment["GATEWAY_PORT"] = gatewayPort.ToString();
        start.Environment["GATEWAY_HTTP_PORT"] = httpPort.ToString();
        start.Environment["INTERNAL_PORT_BASE"] = internalBase.ToString();
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var script = new ProductionScript(Process.Start(start)!, dataDirectory, gatewayPort, httpPort, internalBase);
        await script.WaitUntilReadyAsync();
        return script;
    }

    /// <summary>A client of the gateway over https, trusting the script's certificate, with this API key.</summary>
    public HttpClient Client(string? apiKey = null, bool followRedirects = true)
    {
        var certificate = X509Certificate2.CreateFromPem(Secret("tls.crt"));
        var client = new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = followRedirects,
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                presented?.Thumbprint == certificate.Thumbprint
        })
        {
            BaseAddress = PublicUrl,
            Timeout = TokenPlatformApi.RequestTimeout
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }
        return client;
    }

    /// <summary>
    /// SIGTERM, as systemd or Ctrl+C stops it; returns once the script has ended, with the processes of this run
    /// still alive afterwards (none, when it stops as it should).
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(timeout.Token);
        }
        return ServerProcesses.Using(DataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }

    private string Secret(string name) => File.ReadAllText(Path.Combine(DataDirectory, "secrets", name));

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!Output.Contains("[run-production] Ready", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var logs = string.Join('\n', Directory.EnumerateFiles(Path.Combine(DataDirectory, "logs"), "*.log")
                    .Select(file => $"--- {file}\n" + string.Join('\n', File.ReadLines(file).TakeLast(15))));
                await DisposeAsync();
                Assert.Fail($"run-production.sh was not ready within {ReadyTimeout}:\n{Output}\n{logs}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private static bool IsSetting(string variable) =>
        variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || variable.StartsWith("DOTNET_ENV")
        || variable.StartsWith("OTEL_", StringComparison.Ordinal) || variable.Contains("__");
}
