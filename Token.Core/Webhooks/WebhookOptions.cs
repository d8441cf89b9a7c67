using System.ComponentModel.DataAnnotations;

namespace Token.Core.Webhooks;

/// <summary>How webhooks are delivered (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// The schedule the Standard Webhooks specification suggests: 8 attempts over about 27 hours.
    /// </summary>
    public static readonly TimeSpan[] DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)
    ];

    /// <summary>
    /// The waits before the second, third, … attempt of a delivery; after the last one fails the delivery is given up.
    /// Empty: <see cref="DefaultRetryDelays"/>. (Not a default value here: configuration would add to it.)
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    public IReadOnlyList<TimeSpan> RetrySchedule => RetryDelays.Length > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>An endpoint whose every attempt failed for this long is disabled, with the reason recorded.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long a rotated-out secret still signs alongside the new one, unless the rotation says.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long attempts and finished deliveries are kept (<c>GET /webhooks/{id}/deliveries</c>).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Requests one worker keeps going at once.</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>The longest the worker sleeps when nothing is due (new deliveries wake it at once).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(5);
}
