using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TokenPlatform.Hosting.Local;

/// <summary>Looks at this machine: who we are, which programs exist, whether a container engine answers.</summary>
public static class MachineProbe
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static LocalBinaries FindLocalBinaries() => new(
        PostgresBinDirectory: FindPostgresBinDirectory(),
        RabbitMQServer: FirstExisting(["/usr/lib/rabbitmq/bin/rabbitmq-server", .. OnPath("rabbitmq-server")]),
        RunUser: FirstExisting(OnPath("runuser")));

    /// <summary>
    /// True when <c>docker info</c> (or the engine named by ASPIRE_CONTAINER_RUNTIME) answers within a few seconds.
    /// </summary>
    public static bool ContainerEngineAnswers()
    {
        var engine = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? "docker";
        if (FirstExisting(OnPath(engine)) is not { } path)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            })!;
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// A TCP port nobody uses now, for servers whose ports Aspire does not allocate. Taken below the kernel's ephemeral
    /// range, from which every outgoing connection and every bind to port 0 on the machine draws its port: a port from
    /// that range can be taken by anyone in the seconds before the server binds it (a RabbitMQ node then stops with
    /// <c>dist_port_already_used</c>).
    /// </summary>
    public static int FreeTcpPort() => FreeTcpPorts(1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive TCP ports nobody uses now, chosen as
    /// <see cref="FreeTcpPort"/> chooses one, for a program given a base port.
    /// </summary>
    public static int FreeTcpPorts(int count)
    {
        var below = EphemeralRangeStart() - count + 1;
        for (var attempt = 0; attempt < 100 && below > LowestChosenPort; attempt++)
        {
            var first = Random.Shared.Next(LowestChosenPort, below);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }
        if (count > 1)
        {
            throw new InvalidOperationException($"No {count} consecutive free ports below {below + count - 1}.");
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where <see cref="FreeTcpPort"/> starts looking: above the ports that well-known services use.</summary>
    internal const int LowestChosenPort = 20000;

    /// <summary>The first port of the kernel's ephemeral range (Linux; 32768 elsewhere, Linux's default).</summary>
    internal static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range)
            && int.TryParse(File.ReadAllText(range).Split()[0], out var start)
            ? start
            : 32768;
    }

    /// <summary>Free on every address: a node may listen on all of them (Erlang's distribution port does).</summary>
    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindPostgresBinDirectory()
    {
        // Debian keeps the server programs off PATH, one folder per major version; take the newest.
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .OrderByDescending(dir =>
                    int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var major) ? major : 0)
            : Enumerable.Empty<string>();

        return versioned.Concat(OnPath("postgres").Select(Path.GetDirectoryName).OfType<string>())
            .FirstOrDefault(dir =>
                File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb")));
    }

    private static IEnumerable<string> OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program));

    private static string? FirstExisting(IEnumerable<string> paths) => paths.FirstOrDefault(File.Exists);
}
