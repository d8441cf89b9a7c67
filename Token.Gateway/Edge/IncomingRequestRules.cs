using System.Diagnostics;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Token.Gateway.Edge;

/// <summary>
/// What the front door owes everything behind it (RFC 9700 §4.13): headers that describe the client come from the
/// gateway alone, bodies and requests are bounded, and every refusal is problem details.
/// </summary>
public static class IncomingRequestRules
{
    // From outside these are claims about the client that nobody checked. YARP sets
    // X-Forwarded-For/-Proto/-Host/-Prefix afresh from the connection after they are gone.
    private static readonly string[] ForwardingHeaders = [
        "Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "X-Cluster-Client-IP"];
    private static readonly string[] ForwardingPrefixes = ["X-Forwarded-", "X-Original-", "X-TokenPlatform-"];

    public static WebApplicationBuilder AddIncomingRequestRules(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                gateway => TrustedProxies.AreNetworks(gateway.TrustedProxies),
                "Gateway:TrustedProxies holds an entry that is neither an address nor a CIDR network.")
            .ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
            kestrel.Limits.MaxRequestBodySize = gateway.Value.MaxRequestBodyBytes * RequestBodyLimit.DrainFactor);
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<GatewayOptions>>((timeouts, gateway) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = gateway.Value.RequestTimeout, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout
            });
        builder.Services.AddProblemDetailsWithDetail();
        return builder;
    }

    public static WebApplication UseIncomingRequestRules(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (gateway.TrustedProxies is { Count: > 0 } proxies)
        {
            app.UseForwardedHeaders(TrustedProxies.Forwarding(proxies));
        }
        app.UseTransportSecurity(gateway);
        // Unknown paths, timeouts and proxy failures have no body of their own: they get problem details here.
        app.UseStatusCodePages();
        var maxBodyBytes = gateway.MaxRequestBodyBytes;
        app.Use((context, next) =>
        {
            DropForwardingHeaders(context.Request.Headers);
            return RequestBodyLimit.EnforceAsync(context, next, maxBodyBytes);
        });
        app.UseRequestTimeouts();
        return app;
    }

    private static void DropForwardingHeaders(IHeaderDictionary headers)
    {
        List<string>? dropped = null;
        foreach (var name in headers.Keys)
        {
            if (ForwardingHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)
                || ForwardingPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                (dropped ??= []).Add(name);
            }
        }
        if (dropped is null)
        {
            return;
        }
        foreach (var name in dropped)
        {
            headers.Remove(name);
        }
        Activity.Current?.SetTag("gateway.dropped_headers", string.Join(',', dropped));
    }
}
