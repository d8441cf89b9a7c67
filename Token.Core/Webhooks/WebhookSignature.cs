using System.Security.Cryptography;
using System.Text;

namespace Token.Core.Webhooks;

/// <summary>
/// Signing as the Standard Webhooks specification has it: HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>
/// with the secret's bytes (the base64 after <c>whsec_</c>), sent as <c>v1,{base64}</c>; several signatures, one per
/// secret in use, separated by spaces.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new signing secret: 32 random bytes (the spec asks for 24 to 64).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> header for <paramref name="body"/>, signed with every secret given.</summary>
    public static string Sign(IEnumerable<string> secrets, string webhookId, long timestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret =>
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content))));
    }

    private static byte[] KeyOf(string secret) => Convert.FromBase64String(secret[SecretPrefix.Length..]);
}
