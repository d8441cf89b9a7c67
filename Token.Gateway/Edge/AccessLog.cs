using System.Diagnostics;
using Token.Gateway.RateLimiting;

namespace Token.Gateway.Edge;

/// <summary>
/// A structured line per request: method, path (never the query string: it carries codes, states and tickets),
/// status, time, route, caller (a hash of its key) and client address. Failed (5xx) and slow requests are always
/// logged; refused ones (4xx) too, up to <see cref="MaxRefusalsPerSecond"/> a second, so that a flood of bad requests
/// does not make the gateway spend its time writing about them (the metrics count every one); others only when
/// their trace is sampled (docs/architecture.md, "Telemetry at load").
/// </summary>
public static partial class AccessLog
{
    public const string Category = "Token.Gateway.AccessLog";

    /// <summary>A request that took longer than this is logged even when its trace is not sampled.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);

    /// <summary>Refused requests logged per second, at most, beyond those whose trace is sampled.</summary>
    public const int MaxRefusalsPerSecond = 20;

    public static WebApplication UseAccessLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        var refusals = new PerSecondBudget(MaxRefusalsPerSecond);
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
                // A refusal may be slow on purpose (RefusalDelay): refusals are counted against their own budget only.
                if (status >= StatusCodes.Status500InternalServerError || Activity.Current is { Recorded: true }
                    || (status >= StatusCodes.Status400BadRequest ? refusals.TryTake() : elapsed >= Slow))
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
