using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using TokenPlatform.Testing;

namespace TokenPlatform.Hosting.Local.Tests;

/// <summary>
/// The library's resources in an application of their own, as an AppHost runs them: DCP starts the servers' scripts
/// and stops them when the application goes.
/// </summary>
public sealed class AppShutdownTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Disposing_the_application_leaves_no_server_process_and_no_data_folder()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = DistributedApplicationTestingBuilder.Create(
            ["--Infrastructure:Mode=local", "--Infrastructure:Ephemeral=true"], (_, _) => { });
        var infrastructure = builder.AddTokenPlatformInfrastructure();
        infrastructure.AddPostgresDatabase("tokendb");
        infrastructure.AddRabbitMQ("messaging");
        string[] dataDirectories;
        var app = await builder.BuildAsync(cts.Token);
        try
        {
            await app.StartAsync(cts.Token);
            await Task.WhenAll(((string[])["tokendb", "messaging"]).Select(name =>
                app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token)));
            dataDirectories = [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .OfType<LocalServerResource>().Select(server => server.DataDirectory)];
            Assert.Equal(2, dataDirectories.Length);

            // While it runs, the servers and their folders are there: the checks below can see them.
            Assert.All(dataDirectories, directory =>
                Assert.True(Directory.Exists(directory), $"{directory} is missing while running"));
            Assert.All(dataDirectories, directory => Assert.NotEmpty(ServerProcesses.Using(directory)));
        }
        finally
        {
            await app.DisposeAsync();
        }

        await Eventually.HoldsAsync(() => Task.FromResult(dataDirectories.All(directory =>
                !Directory.Exists(directory) && ServerProcesses.Using(directory).Count == 0)),
            ShutdownTimeout, "a server process or a data folder is left behind");
    }
}
