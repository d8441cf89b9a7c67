using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Token.Core.Security;

/// <summary>Proof Key for Code Exchange (RFC 7636) with the S256 method.</summary>
public static class Pkce
{
    /// <summary>A verifier of 64 characters, within the 43 to 128 that RFC 7636 §4.1 allows.</summary>
    public static string NewVerifier() => RandomValues.New(48);

    /// <summary>The S256 challenge of a verifier (RFC 7636 §4.2).</summary>
    public static string CodeChallenge(string verifier) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
}
