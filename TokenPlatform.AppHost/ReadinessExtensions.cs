using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPlatform.AppHost.Infrastructure;

namespace TokenPlatform.AppHost;

public static class ReadinessExtensions
{
    /// <summary>
    /// Logs one line when every resource is healthy: where the gateway listens and how long start-up took
    /// (the figure docs/benchmarks.md measures).
    /// </summary>
    public static void AnnounceWhenReady(
        this IDistributedApplicationBuilder builder, InfrastructureMode mode, IResourceBuilder<ProjectResource> gateway, IResourceBuilder<IResource>[] resources)
    {
        var started = Stopwatch.StartNew();
        var waiting = new ConcurrentDictionary<string, bool>(resources.Select(resource => KeyValuePair.Create(resource.Resource.Name, true)));

        foreach (var resource in resources)
        {
            builder.Eventing.Subscribe<ResourceReadyEvent>(resource.Resource, (@event, _) =>
            {
                if (waiting.TryRemove(@event.Resource.Name, out var _) && waiting.IsEmpty)
                {
                    @event.Services.GetRequiredService<ILogger<DistributedApplication>>().LogInformation(
                        "TokenPlatform is ready after {StartupSeconds:F1} s ({Mode} infrastructure): gateway at {GatewayUrl}",
                        started.Elapsed.TotalSeconds, mode, gateway.GetEndpoint("http").Url);
                }
                return Task.CompletedTask;
            });
        }
    }
}
