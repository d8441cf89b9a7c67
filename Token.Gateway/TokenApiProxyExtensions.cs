using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Token.Gateway;

public static class TokenApiProxyExtensions
{
    public static WebApplicationBuilder AddTokenApiProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        // The passive check keeps an instance out for the longer of its ReactivationPeriod and this window (60 s by
        // default): a token-api back 6 s after a crash stayed out for a minute, and a crash of the other one meanwhile
        // left the gateway with no instance (the chaos run, docs/reliability.md). The window follows the period.
        builder.Services.AddOptions<TransportFailureRateHealthPolicyOptions>().Configure(options =>
            options.DetectionWindowSize = PassiveDetectionWindow);

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers, below
        builder.Services.AddHttpClient<TokenApiHealthCheck>(client => client.Timeout = TokenApiHealthCheck.Timeout)
            // A probe is not part of anyone's trace: send no traceparent, so token-api does not trace it either.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ActivityHeadersPropagator = null })
            // One attempt: the standard resilience handler would retry an unreachable token-api for ~15 s, longer
            // than a probe waits and than a caller's request may take (Gateway:RequestTimeout). The method is marked
            // experimental, but it is the documented way to take the defaults' handler off one client.
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddHealthChecks().AddCheck<TokenApiHealthCheck>("token-api");

        return builder;
    }

    /// <summary>How long failures count towards the passive health check, and so how long it keeps an instance out.</summary>
    public static readonly TimeSpan PassiveDetectionWindow = TimeSpan.FromSeconds(10);

    public static WebApplication MapTokenApiProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(AnswerHealthWhenTokenApiIsUnreachableAsync);
            proxy.Use(AnswerGatewayTimeoutAsync);
            proxy.Use(RetryOnAnotherInstanceAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>
    /// Monitors read <c>/health</c> in the legacy service's shape. When token-api cannot be reached they still get that
    /// shape, saying so, instead of an empty 502.
    /// </summary>
    private static async Task AnswerHealthWhenTokenApiIsUnreachableAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.GetForwarderErrorFeature() is null
            || context.Response.HasStarted || context.GetReverseProxyFeature().Route.Config.RouteId != HealthRoute)
        {
            return;
        }
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["status"] = "unhealthy",
            ["timestamp"] = DateTimeOffset.UtcNow,
            ["database"] = "unknown",
            ["message_bus"] = "unknown",
            ["token_api"] = "unreachable"
        }, options: null, "application/json", context.RequestAborted);
    }

    /// <summary>
    /// When the gateway's request timeout (<c>Gateway:RequestTimeout</c>) ends a forwarded request, YARP sees the
    /// request cancelled and answers 400 as if the caller had gone. The caller is still waiting: it gets 504, and the
    /// status-code pages give it problem details.
    /// </summary>
    private static async Task AnswerGatewayTimeoutAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.GetForwarderErrorFeature() is not null && !context.Response.HasStarted
            && context.Features.Get<IHttpRequestTimeoutFeature>()
                is { RequestTimeoutToken.IsCancellationRequested: true })
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
        }
    }

    /// <summary>
    /// A GET or HEAD whose token-api could not be reached (the connection refused or dropped before an answer: an
    /// instance that died or is restarting) goes once more to another instance, before the caller sees a 502 and
    /// before the passive health check has taken the dead one out. Other methods are not sent again: the first may
    /// have changed something. When the health checks leave no other instance (the other one crashed a moment ago and
    /// is still held out), it goes to another configured one all the same: it may be back, and a 502 is certain.
    /// </summary>
    private static async Task RetryOnAnotherInstanceAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        // Before load balancing narrows them to the one it picks.
        var candidates = proxy.AvailableDestinations;
        await next();
        if (context.GetForwarderErrorFeature() is not { Error: ForwarderError.Request }
            || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            || context.Response.HasStarted || proxy.ProxiedDestination is not { } failed)
        {
            return;
        }
        var others = candidates.Where(destination => destination != failed).ToList();
        if (others.Count == 0)
        {
            others = [.. proxy.AllDestinations.Where(destination => destination != failed)];
        }
        if (others.Count == 0)
        {
            return;
        }
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        proxy.AvailableDestinations = others;
        context.RequestServices.GetRequiredService<GatewayMetrics>().Retried();
        await next();
    }

    private const string HealthRoute = "health";
}
