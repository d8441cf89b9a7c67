using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The single home of telemetry, health, service discovery and resilience for every TokenPlatform service.
/// </summary>
public static class Extensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    private const string LiveTag = "live";

    // Libraries that report through System.Diagnostics without an instrumentation package of their own.
    private static readonly string[] LibrarySources = ["Npgsql", "MassTransit"];
    private static readonly string[] LibraryMeters = ["Npgsql", "MassTransit", "Microsoft.EntityFrameworkCore"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(LibraryMeters))
            .WithTracing(tracing => tracing
                .AddSource("Token.*")
                .AddSource(LibrarySources)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced)
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    // Orchestrator probes poll the health endpoints every few seconds and would bury real traffic in the
    // dashboard. A probe that is part of a caller's trace (it carries traceparent) is real traffic: keep it.
    private static bool IsTraced(HttpContext context) =>
        !IsHealthProbe(context.Request.Path.Value) || context.Request.Headers.ContainsKey("traceparent");

    private static bool IsHealthProbe(string? path) =>
        path is not null && (path.EndsWith(HealthPath, StringComparison.Ordinal) || path.EndsWith(AlivePath, StringComparison.Ordinal));

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>{prefix}/health</c> (every check: ready to serve) and <c>{prefix}/alive</c> (process is live).
    /// They are mapped in every environment because orchestrators probe them; outside Development the body
    /// carries only the overall status, so check names and error details never leave the service.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, string prefix = "")
    {
        var detailed = app.Environment.IsDevelopment();

        app.MapHealthChecks(prefix + HealthPath, new HealthCheckOptions { ResponseWriter = (c, r) => WriteReport(c, r, detailed) });
        app.MapHealthChecks(prefix + AlivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = (c, r) => WriteReport(c, r, detailed)
        });

        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report, bool detailed)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";

        object body = detailed
            ? new
            {
                status = report.Status.ToString(),
                duration_ms = report.TotalDuration.TotalMilliseconds,
                checks = report.Entries.ToDictionary(
                    entry => entry.Key,
                    entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, duration_ms = entry.Value.Duration.TotalMilliseconds })
            }
            : new { status = report.Status.ToString() };

        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
