using Microsoft.Extensions.Configuration;

namespace TokenPlatform.AppHost;

public static class SettingsForwarding
{
    /// <summary>
    /// Passes every setting under <paramref name="section"/> given to the AppHost (command line, environment, user
    /// secrets) on to the services as environment variables, e.g.
    /// <c>dotnet run --project TokenPlatform.AppHost -- --Telemetry:TraceSampleRatio=0.01</c> or
    /// <c>--Gateway:RateLimits:PerApiKey:TokenLimit=1000</c>.
    /// </summary>
    public static void ForwardSettings(
        this IDistributedApplicationBuilder builder, string section, IEnumerable<ProjectResource> services)
    {
        var settings = builder.Configuration.GetSection(section).AsEnumerable()
            .Where(setting => !string.IsNullOrEmpty(setting.Value))
            .Select(setting => (Name: setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value))
            .ToList();
        if (settings.Count == 0)
        {
            return;
        }
        foreach (var service in services)
        {
            service.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
            {
                foreach (var (name, value) in settings)
                {
                    environment[name] = value!;
                }
            }));
        }
    }

    /// <summary>Runs <c>Replicas:{name}</c> instances of each service (one when unset).</summary>
    public static void WithReplicasFromSettings(
        this IDistributedApplicationBuilder builder, params IResourceBuilder<ProjectResource>[] services)
    {
        foreach (var service in services)
        {
            if (builder.Configuration.GetValue($"Replicas:{service.Resource.Name}", 1) is var replicas and > 1)
            {
                service.WithReplicas(replicas);
                // Replicas share their endpoints through Aspire's proxy, which spreads the requests over them.
                foreach (var endpoint in service.Resource.Annotations.OfType<EndpointAnnotation>())
                {
                    endpoint.IsProxied = true;
                }
            }
        }
    }
}
