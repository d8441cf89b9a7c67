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

    /// <summary>A TCP port nobody listens on now, for servers whose extra ports Aspire does not allocate.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
