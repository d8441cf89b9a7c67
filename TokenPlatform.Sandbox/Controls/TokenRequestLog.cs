namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// What a client sent to <c>/connect/token</c> or <c>/connect/revoke</c>: enough for a test to assert on, and
/// deliberately never the secret, code, token or verifier itself.
/// </summary>
/// <param name="ClientAuthentication"><c>client_secret_basic</c>, <c>client_secret_post</c> or <c>none</c>.</param>
public sealed record RecordedRequest(
    string Endpoint,
    string? GrantType,
    string? ClientId,
    string ClientAuthentication,
    bool HasCodeVerifier,
    int CodeVerifierLength,
    DateTimeOffset At);

public sealed class TokenRequestLog
{
    // Bounded so a long development session cannot grow it without limit; tests clear it long before.
    private const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Queue<RecordedRequest> _requests = new();

    public void Record(RecordedRequest request)
    {
        lock (_gate)
        {
            if (_requests.Count == Capacity)
            {
                _requests.Dequeue();
            }

            _requests.Enqueue(request);
        }
    }

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _requests];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }
}
