using System.Diagnostics;
using System.Reflection;

namespace TokenPlatform.Hosting.Local;

/// <summary>
/// One server's embedded wrapper script as it is to be run: its command line, the variables it reads and the data
/// folder it needs. The Aspire resources and <see cref="LocalServerProcess"/> both start servers from here, so a
/// server started for a test runs exactly as the AppHost runs it.
/// </summary>
internal sealed class LocalServerScript
{
    /// <summary>The user RabbitMQ's script creates (its default user).</summary>
    public const string RabbitMQUser = "tokenplatform";

    private readonly string? _owner;
    private readonly Func<Dictionary<string, object>> _environment;

    private LocalServerScript(
        string name, IReadOnlyList<string> arguments, string? serviceUser, string portVariable,
        Func<Dictionary<string, object>> environment)
    {
        Name = name;
        DataDirectory = arguments[0];
        Launch = LocalServerLaunch.ForScript(Text($"{name}.sh"), name, arguments, MachineProbe.IsRoot, serviceUser);
        PortVariable = portVariable;
        // The script runs as the service user when we are root, and initdb wants to own the folder it fills.
        _owner = MachineProbe.IsRoot ? serviceUser : null;
        _environment = environment;
    }

    public string Name { get; }
    public string DataDirectory { get; }
    public LocalServerLaunch Launch { get; }

    /// <summary>The variable that tells the script its server's port.</summary>
    public string PortVariable { get; }

    /// <param name="password">A string, or a <see cref="ParameterResource"/> that Aspire resolves at start.</param>
    public static LocalServerScript Postgres(
        string dataDirectory, bool ephemeral, string database, object password, LocalBinaries binaries) =>
        new("postgres-local", [dataDirectory, Flag(ephemeral), database], serviceUser: "postgres", "PGPORT", () => new()
        {
            ["POSTGRES_PASSWORD"] = password,
            ["PG_BIN"] = binaries.PostgresBinDirectory!
        });

    /// <param name="password">
    /// A string, or a <see cref="ParameterResource"/> that Aspire resolves at start; it goes into an amqp:// URI, so
    /// it has no characters that need escaping there.
    /// </param>
    public static LocalServerScript RabbitMQ(
        string dataDirectory, bool ephemeral, object password, LocalBinaries binaries) =>
        new("rabbitmq-local", [dataDirectory, Flag(ephemeral)], serviceUser: null, "RABBITMQ_NODE_PORT", () => new()
        {
            ["RABBITMQ_USER"] = RabbitMQUser,
            ["RABBITMQ_PASSWORD"] = password,
            ["RABBITMQ_SERVER"] = binaries.RabbitMQServer!,
            // Erlang's distribution port and port mapper would otherwise be the fixed 25672 and 4369,
            // shared by every node on the machine; each start gets its own.
            ["RABBITMQ_DIST_PORT"] = MachineProbe.FreeTcpPort().ToString(),
            ["ERL_EPMD_PORT"] = MachineProbe.FreeTcpPort().ToString()
        });

    /// <summary>The variables the script reads but its port; new free ports on each call: one call per start.</summary>
    public Dictionary<string, object> Environment() => _environment();

    /// <summary>
    /// Creates the data folder right before the server starts (so a start that fails earlier leaves nothing
    /// behind), readable only by the user the server runs as.
    /// </summary>
    public async Task PrepareDataDirectoryAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(
                "Local infrastructure runs on Linux and macOS; on Windows use Infrastructure:Mode=containers.");
        }

        Directory.CreateDirectory(
            DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (_owner is not null)
        {
            using var chown = Process.Start("chown", [$"{_owner}:{_owner}", DataDirectory]);
            await chown.WaitForExitAsync(cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"chown {_owner} {DataDirectory} failed with exit code {chown.ExitCode}.");
            }
        }
    }

    /// <summary>For a server that was killed: its script removes an ephemeral folder only when it stops.</summary>
    public void DeleteDataDirectory()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Text(string fileName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(fileName)
            ?? throw new InvalidOperationException($"Embedded script {fileName} is missing.");
        return new StreamReader(stream).ReadToEnd();
    }
}
