namespace Token.Api.Infrastructure;

/// <summary>
/// Who may tell token-api where a request came from (<c>X-Forwarded-For</c>/<c>-Proto</c>): the gateway, which sets
/// them from its own connection and drops whatever a caller sent. Links and redirects never come from these headers:
/// they use <c>PublicUrl:BaseUrl</c>.
/// </summary>
public sealed class ForwardingOptions
{
    public const string Section = "Forwarding";

    /// <summary>
    /// Networks (CIDR) or addresses of the gateways, when they run on other hosts (e.g. the pod network on
    /// Kubernetes). Empty (the default): only a gateway on this host's loopback is believed.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
