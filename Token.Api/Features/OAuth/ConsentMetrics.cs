using System.Diagnostics.Metrics;

namespace Token.Api.Features.OAuth;

/// <summary>
/// Callbacks refused because the browser did not hold the consent's cookie (meter <c>Token.Api</c>), by reason:
/// <c>no_cookie</c>, <c>wrong_cookie</c>, <c>no_binding</c>. A rise means links or callback URLs move between browsers.
/// </summary>
public sealed class ConsentMetrics
{
    private readonly Counter<long> _refused;

    public ConsentMetrics(IMeterFactory meters) =>
        _refused = meters.Create("Token.Api").CreateCounter<long>(
            "token.consent.refused", "{callback}", "Callbacks refused for a missing or wrong browser binding");

    public void Refused(BrowserBindingCheck check) =>
        _refused.Add(1, new KeyValuePair<string, object?>("reason", Reason(check)));

    public static string Reason(BrowserBindingCheck check) => check switch
    {
        BrowserBindingCheck.NoCookie => "no_cookie",
        BrowserBindingCheck.WrongCookie => "wrong_cookie",
        BrowserBindingCheck.NoBinding => "no_binding",
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "not a refusal")
    };
}
