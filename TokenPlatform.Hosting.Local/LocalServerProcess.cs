using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace TokenPlatform.Hosting.Local;

/// <summary>
/// A PostgreSQL or RabbitMQ server run by its wrapper script without Aspire, e.g. once per test run; started by
/// <see cref="LocalPostgres.StartAsync(string, CancellationToken)"/> or
/// <see cref="LocalRabbitMQ.StartAsync(string, CancellationToken)"/>. Always ephemeral (no fsync): disposing stops
/// the server and removes its data folder.
/// </summary>
public sealed class LocalServerProcess : IAsyncDisposable
{
    /// <summary>How long a start waits for the server to accept connections.</summary>
    public static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long disposing waits for the script to stop the server before it kills the process tree.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private const int OutputLinesKept = 20;
    private const int SigTerm = 15;

    private readonly LocalServerScript _script;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private int _disposed;

    private LocalServerProcess(LocalServerScript script, int port, string connectionString)
    {
        _script = script;
        Port = port;
        ConnectionString = connectionString;
        var start = new ProcessStartInfo(script.Launch.Command, script.Launch.Arguments)
        {
            WorkingDirectory = "/",
            // Read all the time, not only while starting: a full pipe would block the server's logging.
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var (variable, value) in script.Environment())
        {
            start.Environment[variable] = Convert.ToString(value, CultureInfo.InvariantCulture);
        }
        start.Environment[script.PortVariable] = port.ToString(CultureInfo.InvariantCulture);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += KeepLine;
        _process.ErrorDataReceived += KeepLine;
    }

    /// <summary>The script's name: <c>postgres-local</c> or <c>rabbitmq-local</c>.</summary>
    public string Name => _script.Name;

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string, or an amqp:// URI for RabbitMQ's <c>ConnectionFactory.Uri</c>.</summary>
    public string ConnectionString { get; }

    public string DataDirectory => _script.DataDirectory;

    /// <summary>
    /// Runs the script that <paramref name="launch"/> makes for a free port and returns once
    /// <paramref name="acceptsConnections"/> says so. A server that stops because one of its ports was taken is started
    /// again, up to <see cref="StartAttempts"/> times, on new ports: a free port can still be taken by someone else
    /// before the server binds it.
    /// </summary>
    /// <exception cref="TimeoutException">Not ready within <see cref="ReadinessTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">Every attempt stopped before the server was ready.</exception>
    internal static async Task<LocalServerProcess> StartAsync(
        Func<int, (LocalServerScript Script, string ConnectionString)> launch,
        Func<string, CancellationToken, Task<bool>> acceptsConnections, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = MachineProbe.FreeTcpPort();
            var plan = launch(port);
            try
            {
                return await StartOnceAsync(plan, port, acceptsConnections, cancellationToken);
            }
            catch (ServerStoppedException stopped) when (stopped.PortTaken && attempt < StartAttempts)
            {
            }
        }
    }

    /// <summary>How many times a start is tried when the server stops because a port was taken.</summary>
    internal const int StartAttempts = 3;

    private static async Task<LocalServerProcess> StartOnceAsync(
        (LocalServerScript Script, string ConnectionString) plan, int port,
        Func<string, CancellationToken, Task<bool>> acceptsConnections, CancellationToken cancellationToken)
    {
        await plan.Script.PrepareDataDirectoryAsync(cancellationToken);
        var server = new LocalServerProcess(plan.Script, port, plan.ConnectionString);
        try
        {
            server._process.Start();
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            await server.WaitUntilReadyAsync(acceptsConnections, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The programs <paramref name="postgres"/> and/or <paramref name="rabbitMQ"/> need.</summary>
    /// <exception cref="InfrastructureUnavailableException">
    /// Some are missing; the message says what to install.
    /// </exception>
    internal static LocalBinaries RequireBinaries(bool postgres, bool rabbitMQ)
    {
        var binaries = MachineProbe.FindLocalBinaries();
        if (binaries.Missing(postgres, rabbitMQ, MachineProbe.IsRoot) is { Count: > 0 } missing)
        {
            throw new InfrastructureUnavailableException(
                $"These local servers are missing: {string.Join(", ", missing)}. " +
                $"Install them with `{InfrastructureModeResolver.InstallCommand}`.");
        }
        return binaries;
    }

    /// <summary>Hex digits only: the password also goes into an amqp:// URI.</summary>
    internal static string NewPassword() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>
    /// Stops the server as Aspire does, with SIGTERM to the script, which shuts the server down fast and removes the
    /// data folder; after <see cref="StopTimeout"/> the process tree is killed and the folder removed here.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (HasStarted() && !_process.HasExited)
        {
            // Fails only when the script has just exited on its own, which is what was asked for.
            _ = SendSignal(_process.Id, SigTerm);
            if (!await ExitedWithinAsync(StopTimeout))
            {
                _process.Kill(entireProcessTree: true);
                await ExitedWithinAsync(StopTimeout);
            }
        }
        // A script that was killed, or that failed before its own clean-up (set -e), leaves the folder behind.
        _script.DeleteDataDirectory();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(
        Func<string, CancellationToken, Task<bool>> acceptsConnections, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            while (!await acceptsConnections(ConnectionString, timeout.Token))
            {
                if (_process.HasExited)
                {
                    // Waited for so that the output read so far includes the script's last words.
                    await ExitedWithinAsync(TimeSpan.FromSeconds(5));
                    var output = LastOutput();
                    throw new ServerStoppedException(
                        $"{Name} exited with code {_process.ExitCode} before the server accepted connections." + output,
                        PortTakenMarks.Any(mark => output.Contains(mark, StringComparison.OrdinalIgnoreCase)));
                }
                await Task.Delay(PollInterval, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{Name} did not accept connections within {ReadinessTimeout.TotalSeconds:F0} s." + LastOutput());
        }
    }

    /// <summary>True once the process has exited and its output has been read to the end.</summary>
    private async Task<bool> ExitedWithinAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    private bool HasStarted()
    {
        try
        {
            _ = _process.Id;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void KeepLine(object sender, DataReceivedEventArgs line)
    {
        if (line.Data is null)
        {
            return;
        }
        _output.Enqueue(line.Data);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }
    }

    private string LastOutput() => _output.IsEmpty
        ? " It wrote nothing."
        : $" Its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}";

    /// <summary>
    /// What PostgreSQL ("could not bind … Address already in use") and RabbitMQ (<c>eaddrinuse</c>,
    /// <c>dist_port_already_used</c>) write when a port they were given is taken.
    /// </summary>
    private static readonly string[] PortTakenMarks = ["already in use", "eaddrinuse", "port_already_used"];

    /// <summary>The script ended before the server accepted connections.</summary>
    private sealed class ServerStoppedException(string message, bool portTaken) : InvalidOperationException(message)
    {
        public bool PortTaken { get; } = portTaken;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);
}
