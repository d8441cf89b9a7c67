using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Token.Core.Providers;

namespace Token.Core.Outbound;

/// <summary>
/// What outbound calls (token and revocation endpoints; anything that calls a URL an admin gave) may reach: https to
/// public addresses, or an origin on <c>Providers:TrustedOrigins</c> as it is. Checked when a URL is registered and
/// again on every connection, against the addresses actually connected to, so a name that resolves elsewhere later
/// (DNS rebinding) gains nothing (docs/architecture.md, "Outbound calls").
/// </summary>
public sealed partial class OutboundRules(
    IOptions<ProviderOptions> options, OutboundMetrics metrics, ILogger<OutboundRules> logger)
{
    /// <summary>Larger answers are refused unread: no token endpoint needs more.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A whole call, answer included: a provider that hangs must not hold a caller for long.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan RegistrationLookupTimeout = TimeSpan.FromSeconds(5);

    private static readonly IPNetwork[] InternalNetworks = [.. new[]
    {
        "0.0.0.0/8", "127.0.0.0/8", // this network (0.0.0.0 included), loopback
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", // private (RFC 1918)
        "100.64.0.0/10", // carrier-grade NAT (RFC 6598)
        "169.254.0.0/16", // link-local, where cloud metadata services answer (169.254.169.254)
        "224.0.0.0/4", "240.0.0.0/4", // multicast, reserved, broadcast
        "::/96", // unspecified, loopback and the deprecated IPv4-compatible addresses
        "fc00::/7", "fe80::/10", "fec0::/10", // unique-local, link-local, site-local
        "ff00::/8" // multicast
    }.Select(IPNetwork.Parse)];

    // NAT64 (RFC 6052) reaches the IPv4 address in the last 32 bits, so those are judged as IPv4.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly HashSet<string> _trusted = new(
        options.Value.TrustedOrigins.Select(origin => Origin(new Uri(origin))), StringComparer.OrdinalIgnoreCase);

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (Nat64.Contains(address))
        {
            address = new IPAddress(address.GetAddressBytes().AsSpan(12));
        }
        return Array.Exists(InternalNetworks, network => network.Contains(address));
    }

    /// <summary>An origin as <c>Providers:TrustedOrigins</c> takes it: http(s), a host, a port at most.</summary>
    public static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    public bool IsTrusted(Uri url) => _trusted.Contains(Origin(url));

    /// <summary>
    /// Why a call to <paramref name="url"/> would be refused, said for the one who registers it; null when it is
    /// allowed. A name that does not resolve (yet) is allowed: every connection is checked again.
    /// </summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || IsTrusted(uri))
        {
            return null;
        }
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must use https (an http origin is allowed only when it is on Providers:TrustedOrigins)";
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RegistrationLookupTimeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, timeout.Token);
            return addresses.FirstOrDefault(IsInternal) is { } address
                ? $"reaches {address}, an internal address (loopback, private, link-local, unique-local, shared or " +
                    "unspecified), which outbound calls never reach"
                : null;
        }
        catch (Exception unresolved) when (
            unresolved is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The handler every outbound HTTP client is built on (<see cref="OutboundHttpExtensions"/>).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        // A redirect's target would receive the request again, client secret included.
        AllowAutoRedirect = false,
        // A proxy would make the connection itself, past the check of the address below.
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = ConnectTimeout,
        ConnectCallback = ConnectAsync
    };

    /// <summary>Counts and logs a refusal (origin and path only: query strings can carry secrets).</summary>
    public OutboundRefusedException Refuse(OutboundRefusal reason, Uri url, string detail)
    {
        metrics.Refused(reason);
        var target = $"{Origin(url)}{url.AbsolutePath}";
        LogRefused(target, OutboundMetrics.Tag(reason), detail);
        return new OutboundRefusedException(reason, $"The outbound call to {target} was refused: {detail}.");
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        // No proxy, so the request's own origin is what this connection is for.
        var url = context.InitialRequestMessage.RequestUri!;
        var trusted = IsTrusted(url);
        if (!trusted && url.Scheme != Uri.UriSchemeHttps)
        {
            throw Refuse(OutboundRefusal.NotHttps, url, "plain http to an origin that is not trusted");
        }
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        if (!trusted && addresses.FirstOrDefault(IsInternal) is { } address)
        {
            throw Refuse(OutboundRefusal.InternalAddress, url, $"the host reaches the internal address {address}");
        }
        return await ConnectToFirstAsync(addresses, context.DnsEndPoint.Port, ct);
    }

    private static async ValueTask<Stream> ConnectToFirstAsync(IPAddress[] addresses, int port, CancellationToken ct)
    {
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException refused)
            {
                socket.Dispose();
                failure = refused;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static string Origin(Uri url) => $"{url.Scheme}://{url.Host}:{url.Port}";

    [LoggerMessage(LogLevel.Warning, "Outbound call to {OutboundTarget} refused ({RefusalReason}): {RefusalDetail}")]
    private partial void LogRefused(string outboundTarget, string refusalReason, string refusalDetail);
}
