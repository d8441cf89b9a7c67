using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using TokenPlatform.Hosting.Local;

namespace TokenPlatform.Testing;

/// <summary>The real sandbox, started as its own process on a free port with a throw-away database.</summary>
public sealed class SandboxProcess : IAsyncLifetime
{
    public const string SeededClientId = "seeded-client";
    public const string SeededClientSecret = "seeded-secret";
    public const string SeededRedirectUri = "http://localhost:7000/seeded/callback";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"sandbox-tests-{Guid.NewGuid():N}");
    private Process? _process;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Redirects are never followed: the tests read the Location header themselves.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Everything the sandbox wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        BaseAddress = new Uri($"http://127.0.0.1:{MachineProbe.FreeTcpPort()}");
        Http = new HttpClient(
            new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30)
        };

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                SandboxAssembly(), "--urls", BaseAddress.ToString(),
                $"--Sandbox:DatabasePath={Path.Combine(_dataDirectory, "sandbox.db")}",
                $"--Sandbox:Clients:0:ClientId={SeededClientId}",
                $"--Sandbox:Clients:0:ClientSecret={SeededClientSecret}",
                $"--Sandbox:Clients:0:RedirectUris:0={SeededRedirectUri}"
            }
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, line) => Collect(line.Data);
        _process.ErrorDataReceived += (_, line) => Collect(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await WaitUntilAliveAsync();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                using var stop = new CancellationTokenSource(StopTimeout);
                await _process.WaitForExitAsync(stop.Token);
            }
        }
        finally
        {
            _process?.Dispose();
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>Waits (bounded) until the sandbox has written a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"The sandbox did not log \"{text}\" within {timeout}. Output:\n{Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilAliveAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException(
                    $"The sandbox exited with code {_process.ExitCode} before answering /alive. Output:\n{Output}");
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await Http.GetAsync("/alive", probe.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"The sandbox did not answer /alive within {StartTimeout}. Output:\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static string SandboxAssembly()
    {
        var path = typeof(SandboxProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "SandboxAssembly").Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException("Build TokenPlatform.Sandbox first.", path);
    }
}
