namespace TokenPlatform.AppHost;

public static class SampleExtensions
{
    /// <summary>
    /// Runs samples/ReviewsFetcher, a service of the kind the platform is for: it reads each branch's reviews from
    /// the sandbox's Google Business Profile resource with its client's token. Development only, next to the sandbox.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddReviewsFetcherSample(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ProjectResource> sandbox, IResourceBuilder<ParameterResource> adminApiKey) =>
        builder.AddProject<Projects.ReviewsFetcher>("reviews-fetcher")
            .WithReference(gateway).WaitFor(gateway)
            .WithReference(sandbox).WaitFor(sandbox)
            // Listing the branches takes an admin key; in Development the bootstrap key will do. Elsewhere a service
            // gets a key of its own (POST /api-keys).
            .WithEnvironment("TokenPlatform__ApiKey", adminApiKey)
            // The provider's API is the sandbox, found through service discovery like the gateway.
            .WithEnvironment("Reviews__BaseAddress", "http://sandbox");
}
