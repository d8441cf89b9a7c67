namespace TokenPlatform.EndToEnd.Tests;

/// <summary>One running platform shared by the tests of a class.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");

    public async Task InitializeAsync() => _app = await Platform.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
