using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Token.Api.Compatibility;

/// <summary>
/// <c>GET /health</c> in the legacy service's shape (<c>status</c>, <c>service</c>, <c>version</c>, <c>timestamp</c>,
/// <c>database</c>) that its monitors read, plus <c>message_bus</c>; 503 when anything is unhealthy.
/// </summary>
public static class LegacyHealthResponse
{
    private static readonly string[] DatabaseChecks = ["TokenDbContext", "tokendb-schema"];
    private const string BusCheck = "masstransit-bus";

    public static Task WriteAsync(HttpContext context, HealthReport report, bool detailed)
    {
        context.Response.Headers.CacheControl = "no-store";

        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
            ["service"] = Features.Root.Response.Current.Service,
            ["version"] = Features.Root.Response.Current.Version,
            ["timestamp"] = DateTimeOffset.UtcNow,
            ["database"] = AllHealthy(report, DatabaseChecks) ? "connected" : "disconnected",
            ["message_bus"] = AllHealthy(report, [BusCheck]) ? "connected" : "disconnected"
        };
        if (detailed)
        {
            body["checks"] = Microsoft.Extensions.Hosting.Extensions.DescribeChecks(report);
        }
        return context.Response.WriteAsJsonAsync(body, options: null, "application/json", context.RequestAborted);
    }

    private static bool AllHealthy(HealthReport report, IEnumerable<string> checks) =>
        checks.All(name => report.Entries.TryGetValue(name, out var entry) && entry.Status == HealthStatus.Healthy);
}
