using Microsoft.Extensions.Options;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// Holds back the refusal of a request no real caller sends (a malformed key, or a new key over its address's
/// limit) for <see cref="RateLimitOptions.RefusalDelay"/>: a client that floods in a loop then gets one answer per
/// connection per delay instead of as many as the gateway can write, and the cores stay with the real callers.
/// Waiting costs a timer, not a thread; at most <see cref="RateLimitOptions.MaxDelayedRefusals"/> wait at once, the
/// others are answered at once.
/// </summary>
public sealed class RefusalDelay(IOptions<GatewayOptions> options)
{
    private readonly RateLimitOptions _limits = options.Value.RateLimits;
    private int _waiting;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_limits.RefusalDelay <= TimeSpan.Zero)
        {
            return;
        }
        try
        {
            if (Interlocked.Increment(ref _waiting) <= _limits.MaxDelayedRefusals)
            {
                await Task.Delay(_limits.RefusalDelay, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; nobody reads the answer.
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
