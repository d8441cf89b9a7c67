using Microsoft.Extensions.DependencyInjection;
using Token.Client;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers <see cref="ITokenPlatformClient"/> in an Aspire project, as Aspire integrations do.</summary>
public static class TokenPlatformHostApplicationBuilderExtensions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "TokenPlatform";

    /// <summary>
    /// Registers <see cref="ITokenPlatformClient"/> for the gateway resource <paramref name="serviceName"/> (e.g.
    /// <c>token-gateway</c>, referenced with <c>WithReference</c> in the AppHost): its address is
    /// <c>https+http://{serviceName}</c>, resolved by service discovery from the <c>services:{serviceName}</c>
    /// configuration Aspire passes. The options come from the section <see cref="SectionName"/> (<c>ApiKey</c>, and
    /// <c>BaseAddress</c> to name another address), then <paramref name="configure"/>. Returns the builder of the
    /// HttpClient that calls the platform.
    /// </summary>
    public static IHttpClientBuilder AddTokenPlatformClient(
        this IHostApplicationBuilder builder, string serviceName, Action<TokenPlatformClientOptions>? configure = null)
    {
        // Only the endpoint providers; this client's handler is added below, whether or not the app adds it to all.
        builder.Services.AddServiceDiscovery();
        var options = builder.Services.AddOptions<TokenPlatformClientOptions>()
            .Configure(o => o.BaseAddress = new Uri($"https+http://{serviceName}"))
            .Bind(builder.Configuration.GetSection(SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }
        return builder.Services.AddTokenPlatformClient(options).AddServiceDiscovery();
    }
}
