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
        builder.Services.AddSingleton<UnknownKeyLimit>();
        builder.Services.AddSingleton<RefusalDelay>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
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

            var inFlight = new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentRequests, QueueLimit = 0 };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                // The gateway's own probes must answer even when token-api is saturated.
                context.Request.Path.StartsWithSegments(GatewayPaths.Probes)
                    ? RateLimitPartition.GetNoLimiter("probes")
                    : RateLimitPartition.GetConcurrencyLimiter("token-api", _ => inFlight));

            limiter.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.RequestServices.GetRequiredService<GatewayMetrics>().Refused("rate_limited");
                return RefuseAsync(rejected.HttpContext, rejected.Lease);
            };
        });
        return builder;
    }

    /// <summary>
    /// A key that is not even well-formed is refused first, with 401, before any limiter or token-api sees it. Then,
    /// unless Gateway:RateLimits:Enabled=false leaves them out altogether, the limit on new keys per address
    /// (<see cref="UnknownKeyLimit"/>) and the limiter with the routes' policies.
    /// </summary>
    public static WebApplication UseCallerRateLimits(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        var refusalDelay = app.Services.GetRequiredService<RefusalDelay>();
        app.Use(async (context, next) =>
        {
            var apiKey = CallerIdentity.ApiKey(context);
            if (apiKey.Length == 0 || ApiKeyShape.IsWellFormed(apiKey)
                || context.Request.Path.StartsWithSegments(GatewayPaths.Probes))
            {
                await next(context);
                return;
            }
            metrics.Refused("malformed_api_key");
            await refusalDelay.WaitAsync(context.RequestAborted);
            await GatewayProblemDetails.WriteAsync(
                context, StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The {CallerIdentity.ApiKeyHeader} header is not a well-formed API key: one value of " +
                $"{ApiKeyShape.MinLength} to {ApiKeyShape.MaxLength} letters, digits or -._~+/=.");
        });

        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimits.Enabled)
        {
            app.Use(app.Services.GetRequiredService<UnknownKeyLimit>().InvokeAsync);
            app.UseRateLimiter();
        }
        return app;
    }

    /// <summary>A route of the API proper, limited per key (appsettings.json: <c>RateLimiterPolicy</c>).</summary>
    public static bool IsKeyedRoute(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RateLimiterPolicy == PerApiKey;

    /// <summary>429 with Retry-After and problem details.</summary>
    public static async ValueTask RefuseAsync(HttpContext context, RateLimitLease lease)
    {
        // Token buckets know when the next token comes; the in-flight cap does not, so a second is a fair guess.
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        Activity.Current?.SetTag("gateway.rate_limited", true);
        await GatewayProblemDetails.WriteAsync(
            context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This caller is over its rate limit. Retry after {seconds} s.");
    }
}
