namespace TokenPlatform.AppHost;

public static class TelemetryExtensions
{
    /// <summary>
    /// Passes <c>Telemetry:TraceSampleRatio</c> (0 to 1; every service traces everything by default) on to every
    /// service, e.g. <c>dotnet run --project TokenPlatform.AppHost -- --Telemetry:TraceSampleRatio=0.01</c> under load.
    /// </summary>
    public static void ForwardTraceSampling(this IDistributedApplicationBuilder builder)
    {
        if (builder.Configuration["Telemetry:TraceSampleRatio"] is not { Length: > 0 } ratio)
        {
            return;
        }
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(environment => environment["Telemetry__TraceSampleRatio"] = ratio));
        }
    }
}
