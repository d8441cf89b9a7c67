namespace Token.Core.Tokens;

public static class RefreshTriggerExtensions
{
    /// <summary>
    /// The name subscribers and dashboards know: the <c>trigger</c> of events and of the refresh metrics.
    /// </summary>
    public static string ToTag(this RefreshTrigger trigger) => trigger switch
    {
        RefreshTrigger.Scheduled => "scheduled",
        RefreshTrigger.OnDemand => "on-demand",
        RefreshTrigger.Manual => "manual",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Not a refresh trigger.")
    };
}
