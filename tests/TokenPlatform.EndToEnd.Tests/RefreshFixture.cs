namespace TokenPlatform.EndToEnd.Tests;

/// <summary>
/// A platform with two API instances and two refreshers that look for due tokens every second and claim 16 at a time
/// (so a few dozen due tokens make several claims), short backoffs (so a test sees several of them) and gateway limits
/// out of the way of bursts.
/// </summary>
public sealed class RefreshFixture : IAsyncLifetime
{
    public static readonly string[] Settings =
    [
        "--Replicas:token-api=2", "--Replicas:token-refresher=2",
        "--Refresh:IdlePoll=00:00:01", "--Refresh:BatchSize=16",
        "--Refresh:BackoffBase=00:00:01", "--Refresh:BackoffMax=00:00:04", "--Refresh:CircuitOpen=00:00:05",
        "--Gateway:RateLimits:PerApiKey:TokenLimit=100000", "--Gateway:RateLimits:PerApiKey:TokensPerPeriod=100000",
        "--Gateway:RateLimits:PerAddressConsent:TokenLimit=100000",
        "--Gateway:RateLimits:PerAddressConsent:TokensPerPeriod=100000"
    ];

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");

    public async Task InitializeAsync() => _app = await Platform.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
