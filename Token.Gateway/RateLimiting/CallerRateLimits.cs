using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Token.Gateway.Edge;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

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

            limiter.OnRejected = RefuseAsync;
        });
        return builder;
    }

    /// <summary>Off (Gateway:RateLimits:Enabled=false) leaves the limiter out of the pipeline altogether.</summary>
    public static WebApplication UseCallerRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.RateLimits.Enabled)
        {
            app.UseRateLimiter();
        }
        return app;
    }

    private static async ValueTask RefuseAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
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
