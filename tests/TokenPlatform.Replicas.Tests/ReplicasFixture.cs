extern alias refresher;
using Microsoft.Extensions.Hosting;
using TokenPlatform.Hosting.Local;
using RefresherEntry = refresher::Token.Refresher.RefresherMetrics;

namespace TokenPlatform.Replicas.Tests;

/// <summary>
/// Two token-api instances and two refreshers, each a host of its own in this process (they share nothing but the
/// database, the broker and the provider, as replicas do), on a PostgreSQL, a RabbitMQ and a sandbox started for this
/// fixture. Callers' requests alternate between the two token-api instances, as the gateway spreads them. The
/// refreshers look for due tokens every second and claim 16 at a time (so a few dozen due tokens make several
/// claims); backoffs are short, so a test sees several of them.
/// </summary>
public sealed class ReplicasFixture : IAsyncLifetime
{
    public static readonly string AdminApiKey = "test-admin-" + Guid.NewGuid().ToString("N");

    private readonly LocalBackends _backends = new();
    private readonly List<IAsyncDisposable> _hosts = [];

    public TokenPlatformApi Api { get; private set; } = null!;

    /// <summary>The broker's amqp:// URI, for a subscriber of the events.</summary>
    public string Broker => _backends.RabbitMQConnectionString;

    public async Task InitializeAsync()
    {
        // Four services share this process's thread pool, where each would have its own. Beside the end-to-end
        // platform's start on two cores, the refreshers here made one provider call in 12 s (five alone), twice in
        // three runs; with a larger pool to begin with, two runs in a row passed. Not a proven cause: a guard.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
        await _backends.StartAsync();
        Uri[] instances =
        [
            new($"http://127.0.0.1:{MachineProbe.FreeTcpPort()}"), new($"http://127.0.0.1:{MachineProbe.FreeTcpPort()}")
        ];
        // Links point at the first instance, which completes every consent.
        var settings = _backends.Settings(AdminApiKey, $"{Guid.NewGuid():N}{Guid.NewGuid():N}", instances[0]);
        settings["Refresh:IdlePoll"] = "00:00:01";
        settings["Refresh:BatchSize"] = "16";
        settings["Refresh:BackoffBase"] = "00:00:01";
        settings["Refresh:BackoffMax"] = "00:00:04";
        settings["Refresh:CircuitOpen"] = "00:00:05";

        // The first token-api applies the migrations; the others find the schema current.
        Start(new ServiceHost<Program>(settings, Environments.Development, instances[0].Port));
        Start(new ServiceHost<Program>(settings, Environments.Development, instances[1].Port));
        Start(new ServiceHost<RefresherEntry>(settings, Environments.Development));
        Start(new ServiceHost<RefresherEntry>(settings, Environments.Development));

        Api = _backends.Api(
            () => new HttpClient(new Alternating(instances)) { BaseAddress = instances[0] }, AdminApiKey, instances[0]);
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var host in _hosts)
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            await _backends.DisposeAsync();
        }
    }

    private void Start<TEntryPoint>(ServiceHost<TEntryPoint> host) where TEntryPoint : class
    {
        _hosts.Add(host);
        host.StartServer();
    }

    /// <summary>Sends each request to the next instance in turn, as the gateway's load balancing does.</summary>
    private sealed class Alternating(Uri[] instances) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _next = -1;

        protected override Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var instance = instances[(Interlocked.Increment(ref _next) & int.MaxValue) % instances.Length];
            request.RequestUri = new UriBuilder(request.RequestUri!) { Host = instance.Host, Port = instance.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The refresh tests share one set of replicas; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicasCollection : ICollectionFixture<ReplicasFixture>
{
    public const string Name = "replicas";
}
