namespace Token.Core.Security;

public sealed class SecretEncryptionOptions
{
    /// <summary>
    /// Comma-separated secrets, newest first (the Aspire parameter <c>token-encryption-key</c>). New values are
    /// encrypted under the first; values under the others still decrypt until they are re-encrypted.
    /// </summary>
    public string Keys { get; set; } = "";
}
