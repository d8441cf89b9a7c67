namespace TokenPlatform.EndToEnd.Tests;

/// <summary>
/// A platform with small gateway limits and a short request timeout (so a test can go over them), whose refreshers
/// look for due tokens every second, and whose services export their telemetry to the test, so it can be searched.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    /// <summary>Short enough for a test to wait out, long enough for every other request a test sends.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(8);

    public static readonly string[] Limits =
    [
        "--Gateway:RateLimits:PerApiKey:TokenLimit=20", "--Gateway:RateLimits:PerApiKey:TokensPerPeriod=20",
        "--Gateway:RateLimits:PerApiKey:ReplenishmentPeriod=00:00:02",
        // A consent is three requests (the login page, its button, the callback); a test makes up to three in a row.
        "--Gateway:RateLimits:PerAddressConsent:TokenLimit=12",
        "--Gateway:RateLimits:PerAddressConsent:TokensPerPeriod=12",
        "--Gateway:RateLimits:PerAddressConsent:ReplenishmentPeriod=00:00:02",
        $"--Gateway:RequestTimeout={RequestTimeout}",
        "--Refresh:IdlePoll=00:00:01"
    ];


    private DistributedApplication? _app;
    private TelemetryCapture? _telemetry;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");
    public TelemetryCapture Telemetry =>
        _telemetry ?? throw new InvalidOperationException("The platform has not started.");

    public async Task InitializeAsync()
    {
        _telemetry = await TelemetryCapture.StartAsync();
        _app = await Platform.StartAsync(Limits, _telemetry);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }
    }
}

/// <summary>The gateway tests and the start-up tests share one platform: each start costs a minute or more on two cores.</summary>
[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway platform";
}
