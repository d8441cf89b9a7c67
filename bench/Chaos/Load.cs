using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Chaos;

/// <summary>
/// One validate answer: when it was asked and when it came (ms since the run's start), from which target (0: the
/// gateway; 1, 2: a token-api), and what it said.
/// </summary>
public readonly record struct Answer(
    long AtMs, int Target, int Status, bool IsValid, long Version, int ClientId, long EndMs);

/// <summary>
/// A validate answer with is_valid true, checked at the sandbox's /tokeninfo right after it came: active, or not, and
/// whether its expires_at had passed by the check (then it was in its last milliseconds when answered).
/// </summary>
public readonly record struct Check(
    long AtMs, long CheckedAfterMs, bool Active, bool ExpiredByCheck, int ClientId, long Version);

/// <summary>
/// Callers of GET /tokens/validate/{id}, each going to the targets in turn (the gateway, then each token-api
/// directly), pausing <paramref name="pause"/> between calls; answers kept in memory up to a bound. Every tenth valid
/// answer's token is checked at once at the sandbox (GET /tokeninfo: active means not expired and not revoked).
/// </summary>
public sealed class Load(int[] targetPorts, string apiKey, Uri sandbox, int[] clientIds, int callers, TimeSpan pause,
    Stopwatch clock)
{
    private const int MaxAnswers = 2_000_000, MaxChecks = 100_000, CheckEvery = 10;
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly ConcurrentQueue<Check> _checks = new();
    private readonly Channel<(long AtMs, string Token, int ClientId, long Version, DateTimeOffset ExpiresAt)> _toCheck =
        Channel.CreateBounded<(long, string, int, long, DateTimeOffset)>(new BoundedChannelOptions(1000)
            { FullMode = BoundedChannelFullMode.DropWrite });
    private int _valid;

    public IReadOnlyCollection<Answer> Answers => _answers;
    public IReadOnlyCollection<Check> Checks => _checks;

    /// <summary>The reasons of the 200 answers with is_valid false, counted.</summary>
    public ConcurrentDictionary<string, int> InvalidReasons { get; } = new();

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(
        Enumerable.Range(0, callers).Select(caller => CallAsync(caller, stop))
            .Concat(Enumerable.Range(0, 2).Select(_ => CheckAsync(stop))));

    private async Task CallAsync(int caller, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        var random = new Random(caller);
        for (var call = caller; !stop.IsCancellationRequested && _answers.Count < MaxAnswers; call++)
        {
            var target = call % targetPorts.Length;
            var clientId = clientIds[random.Next(clientIds.Length)];
            var at = clock.ElapsedMilliseconds;
            Answer answer;
            try
            {
                using var response = await http.GetAsync(
                    $"http://127.0.0.1:{targetPorts[target]}/tokens/validate/{clientId}", stop);
                var body = response.IsSuccessStatusCode
                    ? await response.Content.ReadFromJsonAsync<JsonObject>(stop) : null;
                var valid = body?["is_valid"]?.GetValue<bool>() == true;
                var version = body?["token_version"]?.GetValue<long>() ?? 0;
                answer = new(at, target, (int)response.StatusCode, valid, version, clientId, clock.ElapsedMilliseconds);
                if (body is not null && !valid)
                {
                    InvalidReasons.AddOrUpdate(body["reason"]?.GetValue<string>() ?? "none", 1, (_, n) => n + 1);
                }
                if (valid && Interlocked.Increment(ref _valid) % CheckEvery == 0)
                {
                    _toCheck.Writer.TryWrite((at, body!["access_token"]!.GetValue<string>(), clientId, version,
                        body["expires_at"]!.GetValue<DateTimeOffset>()));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException
                                      && !stop.IsCancellationRequested)
            {
                // No answer at all (refused: the instance is down; or 5 s without one): status 0. A connection cut as
                // it is made can surface as a bare SocketException (seen once, at a token-api's kill).
                answer = new(at, target, 0, false, 0, clientId, clock.ElapsedMilliseconds);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            _answers.Enqueue(answer);
            await Task.Delay(pause, CancellationToken.None);
        }
    }

    private async Task CheckAsync(CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = sandbox, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await foreach (var (at, token, clientId, version, expiresAt) in _toCheck.Reader.ReadAllAsync(stop))
            {
                if (_checks.Count >= MaxChecks)
                {
                    break;
                }
                try
                {
                    using var response = await http.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(token)}", stop);
                    var active = response.IsSuccessStatusCode
                        && (await response.Content.ReadFromJsonAsync<JsonObject>(stop))?["active"]?.GetValue<bool>() == true;
                    _checks.Enqueue(new(at, clock.ElapsedMilliseconds - at, active, expiresAt <= DateTimeOffset.UtcNow,
                        clientId, version));
                }
                catch (HttpRequestException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
