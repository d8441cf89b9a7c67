using System.Security.Cryptography;
using System.Text;

namespace Token.Core.Security;

/// <summary>Random values handed out once (state, login tickets, API keys, PKCE verifiers) and how they are looked up.</summary>
public static class Secrets
{
    /// <summary>A URL-safe random string carrying <paramref name="bytes"/> bytes of entropy.</summary>
    public static string NewRandom(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>What is stored instead of a value that only needs to be recognised again.</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>The PKCE S256 challenge of a verifier (RFC 7636 §4.2).</summary>
    public static string CodeChallenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
