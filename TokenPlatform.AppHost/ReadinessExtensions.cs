using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenPlatform.Hosting.Local;

namespace TokenPlatform.AppHost;

public static class ReadinessExtensions
{
    /// <summary>
    /// Logs one line when every resource is healthy: where the gateway listens and how long start-up took
    /// (the figure docs/benchmarks.md measures); in Development also the bootstrap admin API key, so that a new
    /// user can make the first call.
    /// </summary>
    public static void AnnounceWhenReady(
        this IDistributedApplicationBuilder builder, InfrastructureMode mode, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ParameterResource> adminApiKey, IResourceBuilder<IResource>[] resources)
    {
        var development = builder.Environment.IsDevelopment();
        var started = Stopwatch.StartNew();
        var waiting = new ConcurrentDictionary<string, bool>(
            resources.Select(resource => KeyValuePair.Create(resource.Resource.Name, true)));

        foreach (var resource in resources)
        {
            builder.Eventing.Subscribe<ResourceReadyEvent>(resource.Resource, async (@event, ct) =>
            {
                if (waiting.TryRemove(@event.Resource.Name, out var _) && waiting.IsEmpty)
                {
                    var logger = @event.Services.GetRequiredService<ILogger<DistributedApplication>>();
                    logger.LogInformation(
                        "TokenPlatform is ready after {StartupSeconds:F1} s ({Mode} infrastructure): gateway at " +
                        "{GatewayUrl}",
                        started.Elapsed.TotalSeconds, mode, gateway.GetEndpoint("http").Url);
                    if (development)
                    {
                        logger.LogInformation(
                            "Admin API key (send it as X-API-Key): {AdminApiKey}",
                            await adminApiKey.Resource.GetValueAsync(ct));
                    }
                }
            });
        }
    }
}
