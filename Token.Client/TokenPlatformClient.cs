using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Token.Client;

/// <summary>
/// <see cref="ITokenPlatformClient"/> over the named HttpClient <see cref="HttpClientName"/>: tokens held per client
/// until shortly before they expire, one request in flight per client, and 429s retried after their Retry-After.
/// </summary>
internal sealed class TokenPlatformClient(IHttpClientFactory httpClients, IOptions<TokenPlatformClientOptions> options)
    : ITokenPlatformClient
{
    /// <summary>The HttpClient that calls the platform; <c>AddTokenPlatformClient</c> returns its builder.</summary>
    public const string HttpClientName = "TokenPlatform";

    /// <summary>A 429 is sent again at most this often in all …</summary>
    private const int MaxAttempts = 3;

    /// <summary>… and never after waiting longer than this in all.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>The platform's JSON: snake_case.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower
    };

    private readonly ConcurrentDictionary<int, PlatformToken> _tokens = new();
    private readonly ConcurrentDictionary<int, Lazy<Task<PlatformToken>>> _reads = new();
    private readonly TimeSpan _margin = options.Value.RefreshMargin;

    public async Task<string> GetAccessTokenAsync(int clientId, CancellationToken ct = default) =>
        (await GetTokenAsync(clientId, ct)).Usable();

    public Task<PlatformToken> GetTokenAsync(int clientId, CancellationToken ct = default)
    {
        if (_tokens.TryGetValue(clientId, out var held) && held.ExpiresAt - _margin > DateTimeOffset.UtcNow)
        {
            return Task.FromResult(held);
        }
        // Callers that come while a read is in flight share it; a caller that gives up leaves it to the others.
        var read = _reads.GetOrAdd(clientId, id => new Lazy<Task<PlatformToken>>(() => ReadAsync(id)));
        return read.Value.WaitAsync(ct);
    }

    public async Task<PlatformToken> RefreshAsync(
        int clientId, long? afterVersion = null, CancellationToken ct = default)
    {
        _tokens.TryRemove(clientId, out _);
        return Keep(await SendAsync<PlatformToken>(
            () => new HttpRequestMessage(HttpMethod.Post, "tokens/refresh")
            {
                Content = JsonContent.Create(new RefreshRequest(clientId, afterVersion), options: Json)
            },
            ct));
    }

    public Task<PlatformClient> GetClientAsync(int id, CancellationToken ct = default) =>
        SendAsync<PlatformClient>(() => new HttpRequestMessage(HttpMethod.Get, $"clients/{id}"), ct);

    public async Task<IReadOnlyList<PlatformBranch>> GetBranchesAsync(int clientId, CancellationToken ct = default) =>
        await SendAsync<PlatformBranch[]>(
            () => new HttpRequestMessage(HttpMethod.Get, $"branches?client_id={clientId}"), ct);

    public async Task<IReadOnlyList<PlatformBranch>> GetAllBranchesAsync(CancellationToken ct = default) =>
        await SendAsync<PlatformBranch[]>(() => new HttpRequestMessage(HttpMethod.Get, "branches"), ct);

    /// <summary>The shared read of a client's token; no caller's cancellation ends it.</summary>
    private async Task<PlatformToken> ReadAsync(int clientId)
    {
        try
        {
            return Keep(await SendAsync<PlatformToken>(
                () => new HttpRequestMessage(HttpMethod.Get, $"tokens/validate/{clientId}"), CancellationToken.None));
        }
        finally
        {
            _reads.TryRemove(clientId, out _);
        }
    }

    /// <summary>Holds a valid token unless a newer one is held already (a read that overtook a refresh).</summary>
    private PlatformToken Keep(PlatformToken token)
    {
        if (token.IsValid)
        {
            _tokens.AddOrUpdate(
                token.ClientId, token, (_, held) => held.TokenVersion > token.TokenVersion ? held : token);
        }
        return token;
    }

    /// <summary>
    /// Sends the request <paramref name="create"/> makes, again after the Retry-After of a 429 (bounded by
    /// <see cref="MaxAttempts"/> and <see cref="MaxWait"/>); any other error is a <see cref="TokenPlatformException"/>.
    /// </summary>
    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            using var http = httpClients.CreateClient(HttpClientName);
            using var request = create();
            using var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
            }
            var wait = RetryAfter(response);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == MaxAttempts ||
                waited + wait > MaxWait)
            {
                throw await TokenPlatformException.FromAsync(response, ct);
            }
            waited += wait;
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>The answer's Retry-After (seconds or a date), one second without one.</summary>
    private static TimeSpan RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => TimeSpan.FromTicks(Math.Max(0, (date - DateTimeOffset.UtcNow).Ticks)),
        _ => TimeSpan.FromSeconds(1)
    };

    private sealed record RefreshRequest(int ClientId, long? AfterVersion);
}
