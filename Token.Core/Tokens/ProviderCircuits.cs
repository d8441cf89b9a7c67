using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Token.Core.Tokens;

/// <summary>
/// A circuit breaker per provider in this process: after several passing failures in a row, no token of that provider
/// is sent to it until the circuit has been open for a while; then one call is let through to try it.
/// </summary>
public sealed class ProviderCircuits(IOptions<RefreshOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Circuit> _circuits = new();

    /// <summary>Null when a call may go out; otherwise when the circuit lets the next one through.</summary>
    public DateTimeOffset? OpenUntil(string provider)
    {
        var circuit = _circuits.GetOrAdd(provider, _ => new Circuit());
        lock (circuit)
        {
            var now = time.GetUtcNow();
            if (circuit.OpenUntil is not { } until)
            {
                return null;
            }
            if (now < until)
            {
                return until;
            }
            // Half open: this caller tries; the others wait for its outcome as long as the circuit was open.
            circuit.OpenUntil = now + options.Value.CircuitOpen;
            return null;
        }
    }

    public void Succeeded(string provider)
    {
        var circuit = _circuits.GetOrAdd(provider, _ => new Circuit());
        lock (circuit)
        {
            (circuit.Failures, circuit.OpenUntil) = (0, null);
        }
    }

    public void Failed(string provider)
    {
        var circuit = _circuits.GetOrAdd(provider, _ => new Circuit());
        lock (circuit)
        {
            if (++circuit.Failures >= options.Value.CircuitFailures)
            {
                circuit.OpenUntil = time.GetUtcNow() + options.Value.CircuitOpen;
            }
        }
    }

    private sealed class Circuit
    {
        public int Failures;
        public DateTimeOffset? OpenUntil;
    }
}
