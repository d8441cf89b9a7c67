using System.Diagnostics.Metrics;

namespace Token.Gateway;

/// <summary>The gateway's own instruments (meter <c>Token.Gateway</c>), beside ASP.NET Core's rate limiters'.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter<long> _refused;
    private readonly Counter<long> _retried;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Token.Gateway");
        _refused = meter.CreateCounter<long>(
            "gateway.requests.refused", "{request}",
            "Requests the gateway answered itself, by reason (malformed_api_key, new_api_key_rate_limited, " +
            "rate_limited).");
        _retried = meter.CreateCounter<long>(
            "gateway.requests.retried", "{request}",
            "GET and HEAD requests sent again to another token-api after the first could not be reached.");
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retried() => _retried.Add(1);
}
