using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>The paths of a service's own health probes.</summary>
internal sealed class ProbePaths(string prefix)
{
    public string Health { get; } = prefix + "/health";
    public string Alive { get; } = prefix + "/alive";

    /// <summary>
    /// A call to another service's liveness probe (the gateway's checks of token-api, every few seconds per instance):
    /// no one's traffic, not traced.
    /// </summary>
    public static bool IsLivenessCall(Uri? target) =>
        string.Equals(target?.AbsolutePath, "/alive", StringComparison.OrdinalIgnoreCase);

    // Orchestrator probes poll every few seconds and would bury real traffic in the dashboard. A probe that is
    // part of a caller's trace (it carries traceparent) is real traffic: keep it.
    public bool IsTraced(HttpContext context) =>
        !(
            context.Request.Path.Equals(
                Health, StringComparison.OrdinalIgnoreCase) || context.Request.Path.Equals(
                    Alive, StringComparison.OrdinalIgnoreCase))
        || context.Request.Headers.ContainsKey("traceparent");
}
