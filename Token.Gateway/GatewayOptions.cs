using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Token.Gateway;

/// <summary>
/// The gateway's limits, bound from the <c>Gateway</c> section (the AppHost forwards its own <c>Gateway:*</c>
/// settings).
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    [ValidateObjectMembers]
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>
    /// Larger request bodies are refused with 413 before anything reaches token-api; token-api's own limit is the same.
    /// </summary>
    [Range(1, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Networks of the load balancers or proxies in front of the gateway (CIDR, e.g. <c>10.0.0.0/8</c>, or single
    /// addresses). From a peer in one of them, and only then, <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are
    /// believed: per-address limits, the access log and token-api see the client behind them. Empty (the default):
    /// the peer is the client, and every forwarding header from outside is dropped.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Plain-HTTP requests are redirected to <c>PublicUrl:BaseUrl</c> when it is https (the gateway's probes
    /// excepted). Off: plain HTTP is served as well, for callers on a private network that has no TLS.
    /// </summary>
    public bool RedirectPlainHttp { get; set; } = true;

    /// <summary>The <c>Strict-Transport-Security</c> max-age on https answers; zero sends none.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>The whole request, including token-api's answer; 504 after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
