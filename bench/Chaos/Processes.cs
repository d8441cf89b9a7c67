using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using TokenPlatform.Hosting.Local;

namespace Chaos;

/// <summary>
/// One long-running child process that can be killed (SIGKILL), stopped (SIGTERM) and started again with the same
/// command line: a token-api, a token-refresher, or a local server's wrapper script run with its data kept
/// (ephemeral false), so that a stopped PostgreSQL or RabbitMQ comes back with its data on the same port. A service
/// that exits by itself (not killed or stopped by the run) is started again after a back-off, as Kubernetes restarts a
/// container: 10 s, doubling for each exit in a row up to 80 s, from 10 s again once it ran for a minute.
/// </summary>
public sealed class ChildProcess(string name, ProcessStartInfo start, bool restartOnExit = false) : IAsyncDisposable
{
    /// <summary>Where every child's output goes, one file each (kept after the run, for the evidence).</summary>
    public static string LogDirectory { get; } =
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"tokenplatform-chaos-logs-{DateTime.UtcNow:yyyyMMdd-HHmmss}")).FullName;

    private readonly object _logLock = new();
    private const int SigKill = 9, SigTerm = 15;
    private readonly ConcurrentQueue<string> _lastLines = new();
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(10), LongestBackOff = TimeSpan.FromSeconds(80);
    private readonly object _gate = new();
    private Process? _process;
    private bool _heldDown;
    private int _exitsInARow;

    public string Name => name;
    /// <summary>How often the service exited by itself and was started again by the back-off.</summary>
    public int ExitedByItself { get; private set; }
    public bool Running => _process is { HasExited: false };
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;
    public string LastLines => string.Join('\n', _lastLines);

    public void Start()
    {
        lock (_gate)
        {
            _heldDown = false;
            Launch();
        }
    }

    private void Launch()
    {
        var process = _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        var startedAt = Stopwatch.GetTimestamp();
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (restartOnExit)
        {
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => _ = RestartAsync(process, Stopwatch.GetElapsedTime(startedAt));
        }
    }

    private async Task RestartAsync(Process exited, TimeSpan ran)
    {
        TimeSpan backOff;
        lock (_gate)
        {
            if (_heldDown || exited != _process)
            {
                return;
            }
            _exitsInARow = ran > TimeSpan.FromMinutes(1) ? 1 : _exitsInARow + 1;
            backOff = FirstBackOff * Math.Min(Math.Pow(2, _exitsInARow - 1), LongestBackOff / FirstBackOff);
            ExitedByItself++;
        }
        Keep($"[chaos] exited by itself (code {exited.ExitCode}); started again in {backOff.TotalSeconds:0} s");
        await Task.Delay(backOff);
        lock (_gate)
        {
            if (!_heldDown && exited == _process)
            {
                Launch();
            }
        }
    }

    /// <summary>kill -9 of the service itself (dotnet runs the dll in its own process: no children).</summary>
    public async Task KillAsync()
    {
        lock (_gate)
        {
            _heldDown = true;
        }
        if (_process is { HasExited: false } process)
        {
            Signal(process.Id, SigKill);
            await WaitAsync(process, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>SIGTERM (a server's script shuts it down fast); the tree is killed after 30 s.</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            _heldDown = true;
        }
        if (_process is { HasExited: false } process)
        {
            Signal(process.Id, SigTerm);
            if (!await WaitAsync(process, TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                await WaitAsync(process, TimeSpan.FromSeconds(10));
            }
        }
    }

    /// <summary>For a one-off command (the migration step): its exit code, or -1 when it ran past the limit.</summary>
    public async Task<int> RunToEndAsync(TimeSpan limit)
    {
        Start();
        if (await WaitAsync(_process!, limit))
        {
            return _process!.ExitCode;
        }
        await KillAsync();
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    private static async Task<bool> WaitAsync(Process process, TimeSpan limit)
    {
        await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(limit));
        return process.HasExited;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lastLines.Enqueue(line);
        lock (_logLock)
        {
            File.AppendAllText(Path.Combine(LogDirectory, $"{name}.log"), $"{DateTime.UtcNow:HH:mm:ss.fff} {line}\n");
        }
        while (_lastLines.Count > 30 && _lastLines.TryDequeue(out _))
        {
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int processId, int signal);

    public static string RepositoryRoot { get; } = typeof(ChildProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>A service's build (Token.Api, Token.Refresher) next to this program's configuration.</summary>
    public static ChildProcess Service(string name, string project, int port, IReadOnlyDictionary<string, string> settings,
        bool restartOnExit, params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var folder = Path.Combine(RepositoryRoot, project, "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
            ArgumentList = { Path.Combine(folder, $"{project}.dll") }
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var variable in start.Environment.Keys.Where(v => v.StartsWith("ASPNETCORE_") || v.Contains("__")
                     || v.StartsWith("OTEL_") || v.StartsWith("DOTNET_ENV")).ToList())
        {
            start.Environment.Remove(variable);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = port == 0 ? "" : $"http://127.0.0.1:{port}";
        start.Environment["OTEL_SERVICE_NAME"] = project.ToLowerInvariant().Replace('.', '-');
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }
        return new ChildProcess(name, start, restartOnExit);
    }

    /// <summary>
    /// A local server's script from TokenPlatform.Hosting.Local with its data kept (so it can be stopped and started
    /// again on the same port); as root PostgreSQL runs as the postgres user through runuser.
    /// </summary>
    public static ChildProcess Server(string script, string[] arguments, string? serviceUser,
        IReadOnlyDictionary<string, string> environment)
    {
        var path = Path.Combine(RepositoryRoot, "TokenPlatform.Hosting.Local", $"{script}.sh");
        string[] bash = ["bash", "-c", File.ReadAllText(path), script, .. arguments];
        string[] command = MachineProbe.IsRoot && serviceUser is not null ? ["runuser", "-u", serviceUser, "--", .. bash] : bash;
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true
        };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new ChildProcess(script, start);
    }
}
