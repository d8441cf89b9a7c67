using System.Security.Cryptography;
using System.Text;

namespace TokenPlatform.Testing;

/// <summary>How the sandbox's request log names a bearer token (<c>token_sha256</c>), never the token itself.</summary>
public static class TokenHash
{
    public static string Of(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
