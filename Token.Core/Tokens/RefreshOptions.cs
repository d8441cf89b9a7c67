using System.ComponentModel.DataAnnotations;

namespace Token.Core.Tokens;

/// <summary>
/// When and how tokens are refreshed (section <c>Refresh</c>; the AppHost forwards its own <c>Refresh:*</c> settings).
/// </summary>
public sealed class RefreshOptions
{
    /// <summary>How long before expiry a token is refreshed (never more than half its lifetime).</summary>
    public TimeSpan Buffer { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A buffer per provider name, where one differs from <see cref="Buffer"/>.</summary>
    public Dictionary<string, TimeSpan> ProviderBuffers { get; set; } = [];

    /// <summary>
    /// Due times are spread by this share of the buffer either way, so grants issued together are not refreshed
    /// together.
    /// </summary>
    [Range(0.0, 0.5)]
    public double Jitter { get; set; } = 0.1;

    /// <summary>A grant unused this long is refreshed anyway: Google drops refresh tokens that go unused.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a claim on a token lasts; it must outlast a provider call, whose timeout is 15 s.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait after the first passing failure; it doubles with each further one, up to <see cref="BackoffMax"/>.
    /// </summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Passing failures in a row after which a TokenRefreshFailed event goes out.</summary>
    [Range(1, 1000)]
    public int FailuresBeforeEvent { get; set; } = 3;

    /// <summary>
    /// Passing failures in a row, over all of a provider's tokens, that open its circuit in this process.
    /// </summary>
    [Range(1, 1000)]
    public int CircuitFailures { get; set; } = 5;

    /// <summary>
    /// How long an open circuit keeps every call away from the provider before one is let through again.
    /// </summary>
    public TimeSpan CircuitOpen { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tokens one refresher claims at a time; the next batch is claimed while this one is refreshed.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Provider calls one refresher keeps going at once.</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// The longest a refresher sleeps when nothing is due; a new grant's due time is never sooner than its buffer.
    /// </summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(5);
}
