using System.Buffers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What an API key looks like: the gateway refuses any other <c>X-API-Key</c> unseen, and token-api refuses to
/// start in Production with a bootstrap admin key of another shape. token-api's own keys are <c>tp_</c> and 43
/// base64url characters.
/// </summary>
public static class ApiKeyShape
{
    public const int MinLength = 32, MaxLength = 256;

    /// <summary>RFC 7235's token68 characters: base64 and base64url, '.' and '~'.</summary>
    private static readonly SearchValues<char> Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=");

    public static bool IsWellFormed(string key) =>
        key.Length is >= MinLength and <= MaxLength && !key.AsSpan().ContainsAnyExcept(Characters);
}
