using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// Who is calling, as it may appear in partitions, logs and metrics: a short hash of the API key (never the key),
/// or the client's address when there is none.
/// </summary>
public static class CallerIdentity
{
    public const string ApiKeyHeader = "X-API-Key";

    private static readonly object ItemKey = new();

    public static string Of(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var known))
        {
            return (string)known!;
        }
        var apiKey = ApiKey(context);
        var caller = apiKey.Length == 0 ? Address(context) : "key:" + ShortHash(apiKey);
        context.Items[ItemKey] = caller;
        return caller;
    }

    /// <summary>The X-API-Key header, empty when there is none.</summary>
    public static string ApiKey(HttpContext context) => context.Request.Headers[ApiKeyHeader].ToString();

    /// <summary>
    /// The client's address for per-address limits: an IPv4 address as it is, an IPv6 address by its /64, the
    /// smallest block one subscriber is usually given (RFC 6177), so a caller cannot step around a limit by
    /// changing the low bits of its address.
    /// </summary>
    public static string Address(HttpContext context) => "address:" + Partition(context.Connection.RemoteIpAddress);

    public static string Partition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    // 64 bits of SHA-256: enough to keep callers apart, useless for recovering a key.
    private static string ShortHash(string apiKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
