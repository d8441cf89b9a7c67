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
    /// Runs <paramref name="script"/> and returns once <paramref name="acceptsConnections"/> says so.
    /// </summary>
    /// <exception cref="TimeoutException">Not ready within <see cref="ReadinessTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The script stopped before the server was ready.</exception>
    internal static async Task<LocalServerProcess> StartAsync(
        LocalServerScript script, int port, string connectionString,
        Func<string, CancellationToken, Task<bool>> acceptsConnections, CancellationToken cancellationToken)
    {
        await script.PrepareDataDirectoryAsync(cancellationToken);
        var server = new LocalServerProcess(script, port, connectionString);
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
                    throw new InvalidOperationException(
                        $"{Name} exited with code {_process.ExitCode} before the server accepted connections." +
                        LastOutput());
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

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int processId, int signal);
}
