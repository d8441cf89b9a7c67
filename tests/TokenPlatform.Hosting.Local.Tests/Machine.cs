using System.Net;
using System.Net.Sockets;

namespace TokenPlatform.Hosting.Local.Tests;

internal static class Machine
{
    /// <summary>A folder that does not exist yet, which the postgres user can reach when tests run as root.</summary>
    public static string NewDataDirectory(string server) =>
        Path.Combine(Path.GetTempPath(), $"hosting-local-tests-{server}-{Guid.NewGuid():N}");

    /// <summary>
    /// Starts a server in a new folder, hands it to <paramref name="use"/>, disposes it, and checks that neither its
    /// folder nor a listener on its port is left.
    /// </summary>
    public static async Task StartUseAndStop(
        Func<string, CancellationToken, Task<LocalServerProcess>> start, Func<LocalServerProcess, Task> use)
    {
        var dataDirectory = NewDataDirectory("server");

        var server = await start(dataDirectory, CancellationToken.None);
        await using (server)
        {
            await use(server);
        }

        Assert.False(Directory.Exists(dataDirectory));
        Assert.False(await SomethingListensOn(server.Port));
    }

    private static async Task<bool> SomethingListensOn(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
