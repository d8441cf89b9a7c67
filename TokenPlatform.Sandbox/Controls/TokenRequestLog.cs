namespace TokenPlatform.Sandbox.Controls;

public sealed class TokenRequestLog
{
    // Bounded so a long development session cannot grow it without limit (about 10 MB at most); a 30-minute chaos
    // run of 2,000 grants makes some 25,000 requests, and reads them all at its end.
    private const int Capacity = 100_000;

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
