using TokenPlatform.Hosting.Local;

namespace TokenPlatform.EndToEnd.Tests;

public sealed class PlatformShutdownTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Disposing_the_platform_leaves_no_server_process_and_no_data_folder()
    {
        var app = await Platform.StartAsync();
        string[] dataDirectories;
        try
        {
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            dataDirectories = [.. model.Resources.OfType<LocalServerResource>().Select(server => server.DataDirectory)];
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

        var deadline = DateTime.UtcNow + ShutdownTimeout;
        while (DateTime.UtcNow < deadline
            && dataDirectories.Any(directory => Directory.Exists(directory)
                || ServerProcesses.Using(directory).Count > 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Assert.All(dataDirectories, directory =>
        {
            Assert.Empty(ServerProcesses.Using(directory));
            Assert.False(Directory.Exists(directory), $"{directory} is left behind");
        });
    }
}
