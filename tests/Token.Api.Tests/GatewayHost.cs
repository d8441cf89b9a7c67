extern alias gateway;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using TokenPlatform.Hosting.Local;
using GatewayOptions = gateway::Token.Gateway.GatewayOptions;

namespace Token.Api.Tests;

/// <summary>
/// The gateway in this process on a real Kestrel port, in front of the fixture's token-api, so that a test can call
/// it from different loopback addresses (127.0.0.0/8) as different clients.
/// </summary>
public sealed class GatewayHost : ServiceHost<GatewayOptions>
{
    private GatewayHost(int port, IReadOnlyDictionary<string, string?> settings)
        : base(settings, Environments.Development, port) =>
        Address = new Uri($"http://127.0.0.1:{port}");

    public Uri Address { get; }

    /// <param name="settings">More gateway settings, e.g. <c>Gateway:TrustedProxies:0</c>.</param>
    public static GatewayHost Start(TokenApiFixture tokenApi, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:token-api:Destinations:token-api:Address"] = tokenApi.BaseUrl.ToString(),
            ["Logging:LogLevel:Default"] = "Warning"
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        var host = new GatewayHost(MachineProbe.FreeTcpPort(), all);
        host.StartServer();
        return host;
    }

    /// <summary>A client whose connections come from <paramref name="source"/>, with this API key or none.</summary>
    public HttpClient From(IPAddress source, string? apiKey = null)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        })
        {
            BaseAddress = Address, Timeout = TokenPlatformApi.RequestTimeout
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-API-Key", apiKey);
        }
        return client;
    }
}
