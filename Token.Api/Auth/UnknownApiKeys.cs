using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Token.Api.Auth;

/// <summary>
/// Hashes of keys that were looked up and not found, for <see cref="ApiKeyOptions.CacheDuration"/>, at most
/// <see cref="ApiKeyOptions.MaxRememberedUnknownKeys"/> of them: a caller repeating a wrong key costs one lookup,
/// and a flood of made-up keys costs bounded memory (once full, further misses are simply not remembered).
/// </summary>
public sealed class UnknownApiKeys(IOptions<ApiKeyOptions> options) : IDisposable
{
    private readonly TimeSpan _duration = options.Value.CacheDuration;
    private readonly MemoryCache _misses = new(new MemoryCacheOptions
    {
        SizeLimit = options.Value.MaxRememberedUnknownKeys
    });

    public int Count => _misses.Count;

    public bool Contains(string keyHash) => _misses.TryGetValue(keyHash, out _);

    public void Remember(string keyHash) =>
        _misses.Set(keyHash, true, new MemoryCacheEntryOptions
        {
            Size = 1, AbsoluteExpirationRelativeToNow = _duration
        });

    public void Dispose() => _misses.Dispose();
}
