using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
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
    private const string LiveTag = "live";

    // Libraries that report through System.Diagnostics without an instrumentation package of their own.
    private static readonly string[] LibrarySources = ["Npgsql", "MassTransit"];
    private static readonly string[] UrlLoggingCategories = [
        "Microsoft.AspNetCore.Hosting.Diagnostics", "Yarp.ReverseProxy.Forwarder"];
    private static readonly string[] LibraryMeters = ["Npgsql", "MassTransit", "Microsoft.EntityFrameworkCore"];
    private const string OwnSources = "Token.*";

    /// <summary>New traces kept per second and process, at most (<c>Telemetry:MaxTracesPerSecond</c>).</summary>
    public const int DefaultMaxTracesPerSecond = 10;

    /// <param name="probePathPrefix">Where this service's own <c>/health</c> and <c>/alive</c> live, e.g.
    /// <c>/gateway</c> when the root paths belong to another service.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(
        this TBuilder builder, string probePathPrefix = "") where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSettingsDirectory();
        var probes = new ProbePaths(probePathPrefix);
        builder.Services.AddSingleton(probes);
        builder.ConfigureOpenTelemetry(probes);
        builder.AddDefaultHealthChecks();
        // Datetimes the legacy service's Python callers read, in all JSON written with ASP.NET Core's options:
        // WriteAsJsonAsync, problem details, and token-api's endpoints (FastEndpoints copies these options).
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new PythonIsoDateTimeConverter()));

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    private static TBuilder ConfigureOpenTelemetry<TBuilder>(
        this TBuilder builder, ProbePaths probes) where TBuilder : IHostApplicationBuilder
    {
        // These write whole URLs, query strings included, at Information; codes, states and login tickets travel there.
        foreach (var category in UrlLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
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
                .AddMeter(LibraryMeters)
                .AddMeter(OwnSources))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new CappedRatioSampler(
                    builder.Configuration.GetValue("Telemetry:TraceSampleRatio", 1.0),
                    builder.Configuration.GetValue("Telemetry:MaxTracesPerSecond", DefaultMaxTracesPerSecond))))
                .AddSource(OwnSources)
                .AddSource(LibrarySources)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    aspNetCore.Filter = probes.IsTraced;
                    aspNetCore.EnrichWithHttpRequest = (activity, request) =>
                    {
                        if (request.QueryString.HasValue)
                        {
                            activity.SetTag("url.query", QueryRedaction.Redact(request.QueryString.Value));
                        }
                    };
                })
                .AddHttpClientInstrumentation(http =>
                {
                    http.FilterHttpRequestMessage = request => !ProbePaths.IsLivenessCall(request.RequestUri);
                    http.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { Query.Length: > 1 } uri)
                        {
                            activity.SetTag(
                                "url.full", uri.GetLeftPart(UriPartial.Path) + QueryRedaction.Redact(uri.Query));
                        }
                    };
                }));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (ready to serve) and <c>/alive</c> (process is live) under the prefix given to
    /// <see cref="AddServiceDefaults{TBuilder}"/>, in every environment (docs/architecture.md, "Health").
    /// <paramref name="writeHealth"/> replaces the body of <c>/health</c>; its last argument says whether details
    /// may be shown.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(
        this WebApplication app, Func<HttpContext, HealthReport, bool, Task>? writeHealth = null)
    {
        var probes = app.Services.GetRequiredService<ProbePaths>();
        var detailed = app.Environment.IsDevelopment();
        writeHealth ??= WriteReport;

        // The filter above drops a probe's own span; this keeps what the probe does (database queries, calls to
        // token-api) from showing up as traces of their own.
        app.Use(async (context, next) =>
        {
            if (probes.IsTraced(context))
            {
                await next(context);
                return;
            }

            using (SuppressInstrumentationScope.Begin())
            {
                await next(context);
            }
        });

        app.MapHealthChecks(
            probes.Health, new HealthCheckOptions { ResponseWriter = (c, r) => writeHealth(c, r, detailed) });
        app.MapHealthChecks(probes.Alive, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = (c, r) => WriteReport(c, r, detailed)
        });

        return app;
    }

    /// <summary>The checks of a report as JSON-ready data: name → status, description, duration.</summary>
    public static Dictionary<string, object> DescribeChecks(HealthReport report) =>
        report.Entries.ToDictionary(
            entry => entry.Key,
            entry => (object)new
            {
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description,
                duration_ms = entry.Value.Duration.TotalMilliseconds
            });

    private static Task WriteReport(HttpContext context, HealthReport report, bool detailed)
    {
        context.Response.Headers.CacheControl = "no-store";

        object body = detailed
            ? new
            {
                status = report.Status.ToString(),
                duration_ms = report.TotalDuration.TotalMilliseconds,
                checks = DescribeChecks(report)
            }
            : new { status = report.Status.ToString() };

        return context.Response.WriteAsJsonAsync(body, options: null, "application/json", context.RequestAborted);
    }
}
