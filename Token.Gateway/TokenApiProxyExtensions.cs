using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Token.Gateway;

public static class TokenApiProxyExtensions
{
    public static WebApplicationBuilder AddTokenApiProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();

        builder.Services.AddHttpClient<TokenApiHealthCheck>(client => client.BaseAddress = new Uri("http://token-api"))
            // A probe is not part of anyone's trace: send no traceparent, so token-api does not trace it either.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ActivityHeadersPropagator = null });
        builder.Services.AddHealthChecks().AddCheck<TokenApiHealthCheck>("token-api");

        return builder;
    }
}

/// <summary>The gateway is only ready when token-api, the service behind it, answers.</summary>
internal sealed class TokenApiHealthCheck(HttpClient tokenApi) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await tokenApi.GetAsync("/alive", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("token-api is reachable")
                : new HealthCheckResult(context.Registration.FailureStatus, $"token-api answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "token-api is unreachable", exception);
        }
    }
}
