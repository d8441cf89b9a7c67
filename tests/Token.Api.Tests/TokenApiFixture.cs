extern alias refresher;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenPlatform.Hosting.Local;
using RefresherEntry = refresher::Token.Refresher.RefresherMetrics;

namespace Token.Api.Tests;

/// <summary>
/// token-api in this process on a real Kestrel port, against one PostgreSQL and one RabbitMQ started for the whole
/// run and the sandbox as its provider. Links it makes (its public URL) point at that port, so a test's browser
/// follows them as they are.
/// </summary>
public sealed class TokenApiFixture : IAsyncLifetime
{
    public static readonly string AdminApiKey = "test-admin-" + Guid.NewGuid().ToString("N");

    /// <summary>The one key token-api encrypts with (<c>TokenEncryption:Keys</c>).</summary>
    public static readonly string EncryptionKey = $"{Guid.NewGuid():N}{Guid.NewGuid():N}";

    private readonly LocalBackends _backends = new();
    private ServiceHost<Program>? _factory;
    private Dictionary<string, string?> _settings = [];

    public TokenPlatformApi Api { get; private set; } = null!;

    /// <summary>Where token-api listens, e.g. for a gateway in front of it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>token-api's own services, e.g. to look at what it holds in memory.</summary>
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        await _backends.StartAsync();

        BaseUrl = new Uri($"http://127.0.0.1:{MachineProbe.FreeTcpPort()}");
        _settings = _backends.Settings(AdminApiKey, EncryptionKey, BaseUrl);
        _factory = new ServiceHost<Program>(_settings, Environments.Development, BaseUrl.Port);
        _factory.StartServer();
        Api = _backends.Api(_factory.CreateClient, AdminApiKey, BaseUrl);
    }

    /// <summary>
    /// The platform as a caller of <paramref name="gateway"/> finds it: calls, and the links token-api makes, go
    /// through the gateway.
    /// </summary>
    public TokenPlatformApi Through(GatewayHost gateway) =>
        _backends.Api(() => gateway.From(IPAddress.Loopback), AdminApiKey, BaseUrl, gateway.Address);

    /// <summary>A new, empty database on the fixture's PostgreSQL.</summary>
    public Task<string> CreateDatabaseAsync() => _backends.CreateDatabaseAsync();

    /// <summary>
    /// Another token-api on the same servers, in <paramref name="environment"/> with some settings changed (null
    /// removes one); dispose it at the end of the test.
    /// </summary>
    public WebApplicationFactory<Program> StartAnother(
        string environment, IReadOnlyDictionary<string, string?> changes)
    {
        var baseUrl = $"http://127.0.0.1:{MachineProbe.FreeTcpPort()}";
        var settings = Changed(changes);
        // Links point at the instance itself unless the test says where.
        if (!changes.ContainsKey("PublicUrl:BaseUrl"))
        {
            settings["PublicUrl:BaseUrl"] = baseUrl;
        }
        var factory = new ServiceHost<Program>(settings, environment, new Uri(baseUrl).Port);
        factory.StartServer();
        return factory;
    }

    /// <summary>
    /// token-api and a token-refresher on a new database of their own, with some settings changed: for a test whose
    /// refresher must not touch the grants of other tests. Dispose it at the end of the test.
    /// </summary>
    public async Task<OwnPlatform> StartOwnPlatformAsync(IReadOnlyDictionary<string, string?> changes)
    {
        var database = await CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>(changes) { ["ConnectionStrings:tokendb"] = database };
        var tokenApi = StartAnother(Environments.Development, settings);
        // The refresher waits for the schema, which token-api applies at its start.
        var refresher = new ServiceHost<RefresherEntry>(Changed(settings), Environments.Development);
        refresher.StartServer();
        var publicUrl = new Uri(tokenApi.Services.GetRequiredService<IConfiguration>()["PublicUrl:BaseUrl"]!);
        return new OwnPlatform(
            _backends.Api(tokenApi.CreateClient, AdminApiKey, publicUrl, database: database), tokenApi, refresher);
    }

    /// <summary>The fixture's settings with some changed (null removes one).</summary>
    private Dictionary<string, string?> Changed(IReadOnlyDictionary<string, string?> changes)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }
        return settings;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_factory is not null)
            {
                await _factory.DisposeAsync();
            }
        }
        finally
        {
            await _backends.DisposeAsync();
        }
    }
}
/// <summary>token-api and a token-refresher of a test's own (<see cref="TokenApiFixture.StartOwnPlatformAsync"/>).</summary>
public sealed class OwnPlatform(TokenPlatformApi api, params IAsyncDisposable[] hosts) : IAsyncDisposable
{
    public TokenPlatformApi Api => api;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts.Reverse())
        {
            await host.DisposeAsync();
        }
    }
}

/// <summary>Every test class of token-api shares one fixture; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class TokenApiCollection : ICollectionFixture<TokenApiFixture>
{
    public const string Name = "token-api";
}
