using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>The whole AppHost, started in local mode with throw-away data folders.</summary>
public static class Platform
{
    public static readonly string[] Resources =
        ["tokendb", "messaging", "token-api", "token-refresher", "token-gateway", "sandbox"];

    /// <summary>Our own services, whose logs and telemetry the tests hold to our rules.</summary>
    public static readonly string[] Services = ["token-api", "token-refresher", "token-gateway"];

    /// <summary>
    /// The bootstrap admin key the tests start the platform with (the Aspire parameter admin-api-key).
    /// </summary>
    public static readonly string AdminApiKey = "test-admin-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Bounds every wait for the platform. Two platforms started at once on two cores took about two minutes (DCP, two
    /// RabbitMQ nodes booting side by side, eight services each started through <c>dotnet run</c>); on a machine
    /// that was busy with something else as well, three minutes were seen to be too short.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <param name="settings">More AppHost settings, e.g. <c>--Gateway:RateLimits:PerApiKey:TokenLimit=5</c>.</param>
    /// <param name="telemetry">Where our services export their spans, logs and metrics (nowhere when null).</param>
    public static async Task<DistributedApplication> StartAsync(string[]? settings = null,
        TelemetryCapture? telemetry = null)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TokenPlatform_AppHost>(
            [
                "--Infrastructure:Mode=local", "--Infrastructure:Ephemeral=true",
                $"--Parameters:admin-api-key={AdminApiKey}",
                $"--Parameters:token-encryption-key={Guid.NewGuid():N}{Guid.NewGuid():N}",
                .. settings ?? []
            ], cts.Token);
        var logs = new ResourceLogs();
        builder.Services.AddSingleton(logs);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddProvider(logs)
            .AddFilter<ResourceLogs>(ResourceLogs.CategoryPrefix.TrimEnd('.'), LogLevel.Trace));
        if (telemetry is not null)
        {
            foreach (var service in builder.Resources.OfType<ProjectResource>()
                .Where(project => Services.Contains(project.Name)))
            {
                service.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
                {
                    foreach (var (name, value) in telemetry.ExporterEnvironment)
                    {
                        environment[name] = value;
                    }
                }));
            }
        }

        var app = await builder.BuildAsync(cts.Token);
        try
        {
            await app.StartAsync(cts.Token);
            await Task.WhenAll(Resources.Select(name =>
                app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token)));
            return app;
        }
        catch (OperationCanceledException timeout)
        {
            var states = string.Join("; ", Resources.Select(name =>
                app.ResourceNotifications.TryGetCurrentState(name, out var state)
                    ? $"{name} {state.Snapshot.State?.Text} {state.Snapshot.HealthStatus}"
                    : $"{name} unknown"));
            var lastLines = string.Join("\n", logs.Resources.SelectMany(name =>
                logs.Of(name).TakeLast(8).Select(line => $"{name}: {line}")));
            await app.DisposeAsync();
            throw new TimeoutException(
                $"The platform did not become healthy within {StartTimeout}: {states}\n{lastLines}", timeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
