using System.Diagnostics;
using Token.Gateway.RateLimiting;

namespace Token.Gateway.Edge;

/// <summary>
/// One structured line per request: method, path (never the query string: it carries codes, states and tickets),
/// status, time, route, caller (a hash of its key) and the client's address as the gateway saw it.
/// It goes to OpenTelemetry (the dashboard's structured logs) and not to the console, where a line per request
/// cost a third of the gateway's throughput (docs/benchmarks.md); the log level of <c>Token.Gateway.AccessLog</c>
/// turns it off, <c>Logging:Console:LogLevel:Token.Gateway.AccessLog=Information</c> prints it too.
/// </summary>
public static partial class AccessLog
{
    public const string Category = "Token.Gateway.AccessLog";

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
                Served(logger, context.Request.Method, context.Request.Path.Value, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    context.GetEndpoint()?.DisplayName ?? "none", CallerIdentity.Of(context), context.Connection.RemoteIpAddress?.ToString());
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms (route {Route}, caller {Caller}, client {ClientAddress})")]
    private static partial void Served(ILogger logger, string method, string? path, int statusCode, double elapsedMs, string route, string caller, string? clientAddress);
}
