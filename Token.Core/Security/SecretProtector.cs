using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Token.Core.Security;

/// <summary>
/// AES-256-GCM for secrets at rest. Layout: version (1 byte) | key id (8) | nonce (12) | tag (16) | ciphertext.
/// The key id names the key, so several keys can be in use during a rotation.
/// </summary>
public sealed class SecretProtector
{
    private const byte FormatVersion = 1;
    private const int KeyIdSize = 8, NonceSize = 12, TagSize = 16, HeaderSize = 1 + KeyIdSize + NonceSize + TagSize;
    private static readonly byte[] KeyInfo = "TokenPlatform secret encryption v1"u8.ToArray();

    private readonly (byte[] Id, byte[] Key)[] _keys;

    /// <summary>
    /// An <see cref="AesGcm"/> under the newest key per thread (it is not thread-safe): making one costs more than a
    /// short value's encryption, and bulk writers (the seed import) encrypt hundreds of thousands.
    /// </summary>
    private readonly ThreadLocal<AesGcm> _newest;

    public SecretProtector(IOptions<SecretEncryptionOptions> options)
    {
        _keys = [.. SplitKeys(options.Value.Keys).Select(DeriveKey)];
        if (_keys.Length == 0)
        {
            throw new InvalidOperationException(
                "TokenEncryption:Keys is empty; the AppHost passes the token-encryption-key parameter.");
        }
        _newest = new ThreadLocal<AesGcm>(() => new AesGcm(_keys[0].Key, TagSize));
    }

    public byte[] Protect(string plaintext, SecretContext context)
    {
        var keyId = _keys[0].Id;
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[HeaderSize + plain.Length];
        output[0] = FormatVersion;
        keyId.CopyTo(output, 1);
        var nonce = output.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        _newest.Value!.Encrypt(
            nonce, plain, output.AsSpan(HeaderSize), output.AsSpan(1 + KeyIdSize + NonceSize, TagSize),
            context.AssociatedData);
        return output;
    }

    public string Unprotect(byte[] protectedValue, SecretContext context)
    {
        if (protectedValue.Length < HeaderSize || protectedValue[0] != FormatVersion)
        {
            throw new SecretUnreadableException(
                $"The {context.Kind} of {context.Table} row {context.Row} is not in a known format.");
        }

        var keyId = protectedValue[1..(1 + KeyIdSize)];
        var key = _keys.FirstOrDefault(candidate => candidate.Id.AsSpan().SequenceEqual(keyId)).Key
            ?? throw new SecretUnreadableException(
                $"The {context.Kind} of {context.Table} row {context.Row} was encrypted under a key that is no " +
                "longer configured.");

        var plain = new byte[protectedValue.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                protectedValue.AsSpan(1 + KeyIdSize, NonceSize), protectedValue.AsSpan(HeaderSize),
                protectedValue.AsSpan(1 + KeyIdSize + NonceSize, TagSize), plain, context.AssociatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretUnreadableException(
                $"The {context.Kind} of {context.Table} row {context.Row} does not belong to that row or was altered.");
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The configured keys' ids (hex), newest first; the database names a value's key by this id.</summary>
    public IReadOnlyList<string> KeyIds => [.. _keys.Select(key => Convert.ToHexStringLower(key.Id))];

    /// <summary>The shortest key accepted: 32 characters of random text.</summary>
    public const int MinKeyLength = 32;

    /// <summary>The keys of <c>TokenEncryption:Keys</c>: comma-separated, newest first.</summary>
    public static string[] SplitKeys(string keys) =>
        keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when the value is encrypted under the newest key, so a rotation can skip it.</summary>
    public bool IsUnderNewestKey(byte[] protectedValue) =>
        protectedValue.Length >= HeaderSize && protectedValue.AsSpan(1, KeyIdSize).SequenceEqual(_keys[0].Id);

    private static (byte[] Id, byte[] Key) DeriveKey(string secret)
    {
        if (secret.Length < MinKeyLength)
        {
            throw new InvalidOperationException(
                $"Each TokenEncryption key must be at least {MinKeyLength} characters of random text.");
        }
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: KeyInfo);
        return (SHA256.HashData(key)[..KeyIdSize], key);
    }
}
