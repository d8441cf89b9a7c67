using Microsoft.AspNetCore.Http.Timeouts;

namespace Token.Gateway;

public static class TokenApiProxyExtensions
{
    public static WebApplicationBuilder AddTokenApiProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();

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

    public static WebApplication MapTokenApiProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(AnswerHealthWhenTokenApiIsUnreachableAsync);
            proxy.Use(AnswerGatewayTimeoutAsync);
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

    private const string HealthRoute = "health";
}
