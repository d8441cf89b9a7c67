using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Token.Gateway.Edge;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Token.Gateway.RateLimiting;

/// <summary>
/// The rate-limit policies the routes name (appsettings.json, <c>RateLimiterPolicy</c>), plus one global cap on
/// requests in flight that protects token-api. Over a limit: 429 with Retry-After and problem details.
/// </summary>
public static class CallerRateLimits
{
    public const string PerApiKey = "per-api-key";
    public const string PerAddressConsent = "per-address-consent";
    public const string PerAddressPublic = "per-address-public";

    public static WebApplicationBuilder AddCallerRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AcceptedApiKeys>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>, AcceptedApiKeys>(
            (limiter, gateway, accepted) =>
            {
                var limits = gateway.Value.RateLimits;
                limiter.AddPolicy(
                    PerApiKey,
                    context => RateLimitPartition.GetTokenBucketLimiter(
                        CallerIdentity.Of(context), _ => limits.PerApiKey.ToLimiterOptions()));
                limiter.AddPolicy(
                    PerAddressConsent,
                    context => RateLimitPartition.GetTokenBucketLimiter(
                        CallerIdentity.Address(context), _ => limits.PerAddressConsent.ToLimiterOptions()));
                limiter.AddPolicy(
                    PerAddressPublic,
                    context => RateLimitPartition.GetTokenBucketLimiter(
                        CallerIdentity.Address(context), _ => limits.PerAddressPublic.ToLimiterOptions()));

                // The global limiter runs before a route's own policy: a key the gateway has not seen accepted is
                // limited by its address before it reaches its per-key bucket (a new bucket for every made-up key).
                var inFlight = new ConcurrencyLimiterOptions
                {
                    PermitLimit = limits.MaxConcurrentRequests, QueueLimit = 0
                };
                limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                    PartitionedRateLimiter.Create<HttpContext, string>(context =>
                        IsKeyedRoute(context) && CallerIdentity.ApiKey(context).Length > 0
                            && !accepted.Contains(CallerIdentity.Of(context))
                            ? RateLimitPartition.GetTokenBucketLimiter(
                                "unknown-key " + CallerIdentity.Address(context),
                                _ => limits.PerAddressUnknownKeys.ToLimiterOptions())
                            : RateLimitPartition.GetNoLimiter("known")),
                    PartitionedRateLimiter.Create<HttpContext, string>(context =>
                        // The gateway's own probes must answer even when token-api is saturated.
                        context.Request.Path.StartsWithSegments(GatewayPaths.Probes)
                            ? RateLimitPartition.GetNoLimiter("probes")
                            : RateLimitPartition.GetConcurrencyLimiter("token-api", _ => inFlight)));

                limiter.OnRejected = RefuseAsync;
            });
        return builder;
    }

    /// <summary>
    /// Off (Gateway:RateLimits:Enabled=false) leaves the limiter out of the pipeline altogether. Either way a key
    /// that is not even well-formed is refused first, with 401, before any limiter or token-api sees it.
    /// </summary>
    public static WebApplication UseCallerRateLimits(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        app.Use((context, next) =>
        {
            var apiKey = CallerIdentity.ApiKey(context);
            if (apiKey.Length == 0 || CallerIdentity.IsWellFormedKey(apiKey)
                || context.Request.Path.StartsWithSegments(GatewayPaths.Probes))
            {
                return next(context);
            }
            metrics.Refused("malformed_api_key");
            return GatewayProblemDetails.WriteAsync(
                context, StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The {CallerIdentity.ApiKeyHeader} header is not a well-formed API key: one value of " +
                $"{CallerIdentity.MinKeyLength} to {CallerIdentity.MaxKeyLength} letters, digits or -._~+/=.").AsTask();
        });

        if (!app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimits.Enabled)
        {
            return app;
        }
        app.UseRateLimiter();
        var accepted = app.Services.GetRequiredService<AcceptedApiKeys>();
        app.Use(async (context, next) =>
        {
            await next(context);
            if (IsKeyedRoute(context) && CallerIdentity.ApiKey(context).Length > 0)
            {
                accepted.Observe(CallerIdentity.Of(context), context.Response.StatusCode);
            }
        });
        return app;
    }

    /// <summary>A route of the API proper, limited per key (appsettings.json: <c>RateLimiterPolicy</c>).</summary>
    private static bool IsKeyedRoute(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RateLimiterPolicy == PerApiKey;

    private static async ValueTask RefuseAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        context.RequestServices.GetRequiredService<GatewayMetrics>().Refused("rate_limited");
        // Token buckets know when the next token comes; the in-flight cap does not, so a second is a fair guess.
        var retryAfter = rejected.Lease.TryGetMetadata(
            MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        Activity.Current?.SetTag("gateway.rate_limited", true);
        await GatewayProblemDetails.WriteAsync(
            context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This caller is over its rate limit. Retry after {seconds} s.");
    }
}
