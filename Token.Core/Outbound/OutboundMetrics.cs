using System.Diagnostics.Metrics;

namespace Token.Core.Outbound;

/// <summary>Outbound calls the rules refused (meter <c>Token.Outbound</c>), by reason.</summary>
public sealed class OutboundMetrics
{
    public const string MeterName = "Token.Outbound";

    private readonly Counter<long> _refused;

    public OutboundMetrics(IMeterFactory meters) =>
        _refused = meters.Create(MeterName).CreateCounter<long>(
            "token.outbound.refused", "{call}",
            "Outbound calls refused by reason: not_https, internal_address, redirect, too_large");

    public void Refused(OutboundRefusal reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>("reason", Tag(reason)));

    public static string Tag(OutboundRefusal reason) => reason switch
    {
        OutboundRefusal.NotHttps => "not_https",
        OutboundRefusal.InternalAddress => "internal_address",
        OutboundRefusal.Redirect => "redirect",
        _ => "too_large"
    };
}
