using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenPlatform.Benchmarks;

/// <summary>
/// The whole platform as the tests start it (local mode, throw-away data), tracing 1 % as under load.
/// </summary>
public sealed class BenchPlatform(
    DistributedApplication app, SandboxBench sandbox, DatabaseBench database, string adminApiKey) : IAsyncDisposable
{
    private static readonly string[] Resources =
        ["tokendb", "messaging", "token-api", "token-refresher", "token-gateway", "sandbox"];

    public DistributedApplication App => app;
    public SandboxBench Sandbox => sandbox;
    public DatabaseBench Database => database;

    /// <summary>The admin key the platform was started with (<c>X-API-Key</c>).</summary>
    public string AdminApiKey => adminApiKey;

    /// <param name="settings">More AppHost arguments, e.g. <c>--Providers:TrustedOrigins:0=http://127.0.0.1:5000</c>.</param>
    /// <param name="refresher">Settings for token-refresher alone (<c>Webhooks:Parallelism=64</c>), which the AppHost
    /// does not forward.</param>
    public static async Task<BenchPlatform> StartAsync(
        IEnumerable<string>? settings = null, IEnumerable<string>? refresher = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var encryptionKey = $"{Guid.NewGuid():N}{Guid.NewGuid():N}";
        var adminApiKey = $"bench-{Guid.NewGuid():N}";
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TokenPlatform_AppHost>(
            [
                "--Infrastructure:Mode=local", "--Infrastructure:Ephemeral=true", "--Telemetry:TraceSampleRatio=0.01",
                $"--Parameters:admin-api-key={adminApiKey}",
                $"--Parameters:token-encryption-key={encryptionKey}", .. settings ?? []
            ], cts.Token);
        foreach (var setting in refresher ?? [])
        {
            var (name, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            builder.CreateResourceBuilder<ProjectResource>("token-refresher")
                .WithEnvironment(name.Replace(":", "__", StringComparison.Ordinal), value);
        }
        // The services' console output would compete for the cores being measured.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("TokenPlatform.AppHost.Resources", LogLevel.None));
        var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        await Task.WhenAll(Resources.Select(name =>
            app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token)));
        return new BenchPlatform(app, new SandboxBench(app.GetEndpoint("sandbox", "http")),
            new DatabaseBench((await app.GetConnectionStringAsync("tokendb", cts.Token))!, encryptionKey),
            adminApiKey);
    }

    /// <summary>For the scale benchmark, nobody else may claim the due tokens it plants.</summary>
    public Task StopRefresherAsync() =>
        app.ResourceCommands.ExecuteCommandAsync("token-refresher", KnownResourceCommands.StopCommand);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
