using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Token.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ITokenPlatformClient"/> and the handler that puts its tokens on requests.</summary>
public static class TokenPlatformServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITokenPlatformClient"/> as a singleton, its options checked when the host starts. Returns
    /// the builder of the HttpClient that calls the platform, e.g. to add a handler.
    /// </summary>
    public static IHttpClientBuilder AddTokenPlatformClient(
        this IServiceCollection services, Action<TokenPlatformClientOptions> configure) =>
        services.AddTokenPlatformClient(services.AddOptions<TokenPlatformClientOptions>().Configure(configure));

    /// <summary>
    /// Registers <see cref="ITokenPlatformClient"/> with its options bound from <paramref name="section"/> (e.g.
    /// <c>TokenPlatform</c> with <c>BaseAddress</c>, <c>ApiKey</c>, <c>RefreshMargin</c>).
    /// </summary>
    public static IHttpClientBuilder AddTokenPlatformClient(this IServiceCollection services, IConfiguration section) =>
        services.AddTokenPlatformClient(services.AddOptions<TokenPlatformClientOptions>().Bind(section));

    /// <summary>
    /// Sets <c>Authorization: Bearer</c> on this HttpClient's requests with the token of the client
    /// <paramref name="clientIdOf"/> names for each request, and refreshes it once when the API answers 401
    /// (<see cref="TokenPlatformBearerHandler"/>). Needs <c>AddTokenPlatformClient</c>.
    /// </summary>
    public static IHttpClientBuilder AddTokenPlatformBearer(
        this IHttpClientBuilder builder, Func<HttpRequestMessage, int> clientIdOf) =>
        builder.AddHttpMessageHandler(services =>
            new TokenPlatformBearerHandler(services.GetRequiredService<ITokenPlatformClient>(), clientIdOf));

    /// <summary>Registers the client with these options, checked when the host starts.</summary>
    internal static IHttpClientBuilder AddTokenPlatformClient(
        this IServiceCollection services, OptionsBuilder<TokenPlatformClientOptions> options)
    {
        options
            .Validate(
                o => o.BaseAddress is { IsAbsoluteUri: true } address &&
                     address.Scheme.Split('+').All(scheme => scheme is "http" or "https"),
                "TokenPlatform's BaseAddress must be an absolute http(s) URL (or a service name such as " +
                "https+http://token-gateway).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "TokenPlatform's ApiKey must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton<ITokenPlatformClient, TokenPlatformClient>();
        return services.AddHttpClient(TokenPlatformClient.HttpClientName, (provider, http) =>
        {
            var settings = provider.GetRequiredService<IOptions<TokenPlatformClientOptions>>().Value;
            http.BaseAddress = settings.BaseAddress;
            http.DefaultRequestHeaders.Add("X-API-Key", settings.ApiKey);
        });
    }
}
