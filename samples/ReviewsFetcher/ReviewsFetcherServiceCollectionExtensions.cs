using Microsoft.Extensions.Options;

namespace ReviewsFetcher;

public static class ReviewsFetcherServiceCollectionExtensions
{
    /// <summary>
    /// The platform's client (section <c>TokenPlatform</c>: <c>BaseAddress</c>, <c>ApiKey</c>), the provider's API
    /// with the token of each request's client on it, and <see cref="BranchReviewsFetcher"/>.
    /// </summary>
    public static IServiceCollection AddReviewsFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        // Service discovery (a BaseAddress such as https+http://token-gateway) comes with AddServiceDefaults, which
        // adds it to every HttpClient.
        services.AddTokenPlatformClient(configuration.GetSection("TokenPlatform"));
        services.AddOptions<ReviewsOptions>().Bind(configuration.GetSection(ReviewsOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(BranchReviewsFetcher.HttpClientName, (provider, http) =>
                http.BaseAddress = provider.GetRequiredService<IOptions<ReviewsOptions>>().Value.BaseAddress)
            .AddTokenPlatformBearer(BranchReviewsFetcher.ClientIdOf);
        services.AddSingleton<BranchReviewsFetcher>();
        return services;
    }
}
