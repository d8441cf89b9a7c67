using System.Diagnostics;
using Token.Gateway.RateLimiting;

namespace Token.Gateway.Edge;

/// <summary>
/// A structured line per request: method, path (never the query string: it carries codes, states and tickets),
/// status, time, route, caller (a hash of its key) and client address. Refused, failed and slow requests are always
/// logged, others only when their trace is sampled (docs/architecture.md, "Telemetry at load").
/// </summary>
public static partial class AccessLog
{
    public const string Category = "Token.Gateway.AccessLog";

    /// <summary>A request that took longer than this is logged even when its trace is not sampled.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);

    public static WebApplication UseAccessLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information) || context.Request.Path.StartsWithSegments(GatewayPaths.Probes))
            {
                await next(context);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(context);
                status = context.Response.StatusCode;
            }
            finally
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (status >= StatusCodes.Status400BadRequest
                    || elapsed >= Slow || Activity.Current is { Recorded: true })
                {
                    Served(
                        logger, context.Request.Method, context.Request.Path.Value, status, elapsed.TotalMilliseconds,
                        context.GetEndpoint()?.DisplayName ?? "none", CallerIdentity.Of(context),
                        context.Connection.RemoteIpAddress?.ToString());
                }
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms (route {Route}, caller {Caller}, " +
            "client {ClientAddress})")]
    private static partial void Served(
        ILogger logger, string method, string? path, int statusCode, double elapsedMs, string route, string caller,
        string? clientAddress);
}
