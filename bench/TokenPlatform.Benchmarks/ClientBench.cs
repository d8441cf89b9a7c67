using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.DependencyInjection;
using Token.Client;

namespace TokenPlatform.Benchmarks;

/// <summary>
/// Token.Client's <see cref="ITokenPlatformClient.GetAccessTokenAsync"/> served from its memory, against the request
/// it saves: <c>GET /tokens/validate/{id}</c> through the gateway, on the client's own HttpClient (same connections,
/// same key). The platform is one of its own; the client's grant is planted in tokendb.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClientBench
{
    // BenchmarkDotNet makes the instance; what the platform's start-up found reaches it here.
    private static Uri s_gateway = null!;
    private static string s_apiKey = "";
    private static int s_clientId;

    private ServiceProvider _services = null!;
    private ITokenPlatformClient _platform = null!;
    private HttpClient _http = null!;

    public static async Task RunAsync()
    {
        // One caller in a closed loop would meet the gateway's limit per key within a second.
        await using var platform = await BenchPlatform.StartAsync(
            "--Gateway:RateLimits:PerApiKey:TokenLimit=1000000",
            "--Gateway:RateLimits:PerApiKey:TokensPerPeriod=1000000");
        var grants = await platform.Sandbox.CreateGrantsAsync(1);
        await platform.Database.StoreAsync(grants.Grants, expiresIn: TimeSpan.FromHours(1));
        s_gateway = platform.App.GetEndpoint("token-gateway", "http");
        s_apiKey = platform.AdminApiKey;
        using (var admin = new HttpClient { BaseAddress = s_gateway })
        {
            admin.DefaultRequestHeaders.Add("X-API-Key", s_apiKey);
            s_clientId = (int)(await admin.GetFromJsonAsync<JsonArray>("clients"))![0]!["id"]!;
        }

        // In this process, where the platform runs. ShortRun's 3 warm-ups, but 15 iterations of about 0.5 s: with 3,
        // the round trip's figure scattered widely on a shared machine; the measuring still takes under a minute.
        var job = Job.ShortRun.WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance.AddJob(job)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "tokenplatform-client-bench"));
        var summary = BenchmarkRunner.Run<ClientBench>(config);

        // The figure: how many cached reads one round trip costs (BenchmarkDotNet's Ratio column rounds it).
        var roundTrip = MedianNs(summary, nameof(ValidateRoundTrip));
        var cached = MedianNs(summary, nameof(CachedToken));
        Console.WriteLine($"validate round trip {roundTrip / 1000:0.0} µs, cached token {cached:0.0} ns " +
            $"(medians): the round trip takes {roundTrip / cached:N0} times as long; load average " +
            $"{File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
    }

    private static double MedianNs(Summary summary, string method) => summary.Reports
        .Single(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Median;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        var services = new ServiceCollection();
        services.AddTokenPlatformClient(options =>
        {
            options.BaseAddress = s_gateway;
            options.ApiKey = s_apiKey;
        });
        _services = services.BuildServiceProvider();
        _platform = _services.GetRequiredService<ITokenPlatformClient>();
        _http = _services.GetRequiredService<IHttpClientFactory>().CreateClient("TokenPlatform");
        // The first call reads the token (and checks it is there); every call after it is served from memory.
        await _platform.GetAccessTokenAsync(s_clientId);
    }

    [Benchmark(Description = "GET /tokens/validate/{id} through the gateway")]
    public Task<string> ValidateRoundTrip() => _http.GetStringAsync($"tokens/validate/{s_clientId}");

    [Benchmark(Baseline = true, Description = "GetAccessTokenAsync from the client's cache")]
    public Task<string> CachedToken() => _platform.GetAccessTokenAsync(s_clientId);

    [GlobalCleanup]
    public void CleanUp()
    {
        _http.Dispose();
        _services.Dispose();
    }
}
