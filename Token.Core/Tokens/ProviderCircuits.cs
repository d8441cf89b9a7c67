using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Token.Core.Tokens;

/// <summary>
/// A circuit breaker per provider in this process: after several passing failures in a row, no token of that provider
/// is sent to it until the circuit has been open for a while; then one call is let through to try it.
/// </summary>
public sealed class ProviderCircuits(IOptions<RefreshOptions> options, TimeProvider time)
{
    /// <summary>
    /// While the one trial call is out, the others look again this soon, so that they go as soon as it succeeded
    /// instead of a whole open period later (found by the chaos run: tokens expired after the provider was back).
    /// </summary>
    public static readonly TimeSpan TrialPoll = TimeSpan.FromSeconds(2);

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
                return circuit.Trying && now + TrialPoll < until ? now + TrialPoll : until;
            }
            // Half open: this caller tries; the others wait for its outcome, at most as long as the circuit was open.
            (circuit.OpenUntil, circuit.Trying) = (now + options.Value.CircuitOpen, true);
            return null;
        }
    }

    public void Succeeded(string provider)
    {
        var circuit = _circuits.GetOrAdd(provider, _ => new Circuit());
        lock (circuit)
        {
            (circuit.Failures, circuit.OpenUntil, circuit.Trying) = (0, null, false);
        }
    }

    public void Failed(string provider)
    {
        var circuit = _circuits.GetOrAdd(provider, _ => new Circuit());
        lock (circuit)
        {
            if (++circuit.Failures >= options.Value.CircuitFailures)
            {
                (circuit.OpenUntil, circuit.Trying) = (time.GetUtcNow() + options.Value.CircuitOpen, false);
            }
        }
    }

    private sealed class Circuit
    {
        public int Failures;
        public DateTimeOffset? OpenUntil;
        public bool Trying;
    }
}
