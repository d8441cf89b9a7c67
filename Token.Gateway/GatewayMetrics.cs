using System.Diagnostics.Metrics;

namespace Token.Gateway;

/// <summary>The gateway's own instruments (meter <c>Token.Gateway</c>), beside ASP.NET Core's rate limiters'.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter<long> _refused;

    public GatewayMetrics(IMeterFactory meters) =>
        _refused = meters.Create("Token.Gateway").CreateCounter<long>(
            "gateway.requests.refused", "{request}",
            "Requests the gateway answered itself, by reason (malformed_api_key, new_api_key_rate_limited, " +
            "rate_limited).");

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
