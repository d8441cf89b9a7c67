using System.Collections.Concurrent;

namespace Token.Api.Features.Tokens;

/// <summary>
/// Usable tokens in memory, so that <c>validate</c> answers without a database round trip. Other processes' changes
/// drop an entry through <see cref="TokenCacheInvalidation"/>, or after <see cref="MaxStaleness"/> at the latest.
/// </summary>
public sealed class TokenCache(TimeProvider time)
{
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<int, (CachedToken Token, DateTimeOffset CachedAt)> _entries = new();
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _refreshGates = new();

    public bool TryGet(int clientId, out CachedToken token)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(clientId, out var entry)
            && now - entry.CachedAt < MaxStaleness && now < entry.Token.RefreshAt)
        {
            token = entry.Token;
            return true;
        }
        token = null!;
        return false;
    }

    public void Set(CachedToken token) => _entries[token.ClientId] = (token, time.GetUtcNow());

    public void Forget(int clientId) => _entries.TryRemove(clientId, out _);

    /// <summary>Drops the entry when it is older than <paramref name="version"/> of the client's grant.</summary>
    public void ForgetOlderThan(int clientId, long version)
    {
        if (_entries.TryGetValue(clientId, out var entry) && entry.Token.Version < version)
        {
            // Removes only the entry that was looked at, not a newer one stored meanwhile.
            _entries.TryRemove(new KeyValuePair<int, (CachedToken, DateTimeOffset)>(clientId, entry));
        }
    }

    /// <summary>One refresh per client at a time in this instance; the token's lease covers other processes.</summary>
    public SemaphoreSlim RefreshGate(int clientId) => _refreshGates.GetOrAdd(clientId, _ => new SemaphoreSlim(1, 1));
}
