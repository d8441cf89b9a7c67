using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Token.Core.Security;

/// <summary>Random values handed out once (state, login tickets, API keys) and how they are looked up.</summary>
public static class RandomValues
{
    /// <summary>A URL-safe random string carrying <paramref name="bytes"/> bytes of entropy.</summary>
    public static string New(int bytes = 32) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>What is stored instead of a value that only needs to be recognised again.</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
