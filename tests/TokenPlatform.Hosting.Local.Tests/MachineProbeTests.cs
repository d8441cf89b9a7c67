using System.Net;
using System.Net.Sockets;

namespace TokenPlatform.Hosting.Local.Tests;

public sealed class MachineProbeTests
{
    [Fact]
    public void Free_ports_come_from_below_the_range_that_outgoing_connections_draw_from_and_can_be_bound()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split()[0]);

        for (var i = 0; i < 20; i++)
        {
            var port = MachineProbe.FreeTcpPort();

            Assert.InRange(port, 1024, ephemeralStart - 1);
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
        }
    }
}
