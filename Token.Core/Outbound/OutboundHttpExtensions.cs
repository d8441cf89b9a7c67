using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Token.Core.Outbound;

public static class OutboundHttpExtensions
{
    /// <summary>
    /// Puts an HTTP client under <see cref="OutboundRules"/>: checked connections, no redirects, answers of
    /// <see cref="OutboundRules.MaxAnswerBytes"/> at most, connect and call timeouts. Every client that calls a URL
    /// an admin or a caller gave is added this way.
    /// </summary>
    public static IHttpClientBuilder AddOutboundRules(this IHttpClientBuilder http)
    {
        http.Services.TryAddSingleton<OutboundMetrics>();
        http.Services.TryAddSingleton<OutboundRules>();
        return http
            .ConfigureHttpClient(client => client.Timeout = OutboundRules.CallTimeout)
            .ConfigurePrimaryHttpMessageHandler(services =>
                services.GetRequiredService<OutboundRules>().CreateHandler())
            .AddHttpMessageHandler(services =>
                new OutboundCallLimits(services.GetRequiredService<OutboundRules>()));
    }
}
