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
        var apiKey = context.Request.Headers[ApiKeyHeader].ToString();
        var caller = apiKey.Length == 0 ? Address(context) : "key:" + ShortHash(apiKey);
        context.Items[ItemKey] = caller;
        return caller;
    }

    public static string Address(HttpContext context) => "address:" + context.Connection.RemoteIpAddress;

    // 64 bits of SHA-256: enough to keep callers apart, useless for recovering a key.
    private static string ShortHash(string apiKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
