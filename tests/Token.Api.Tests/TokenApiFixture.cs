using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using TokenPlatform.Hosting.Local;

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
        var settings = new Dictionary<string, string?>(_settings) { ["PublicUrl:BaseUrl"] = baseUrl };
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }
        var factory = new ServiceHost<Program>(settings, environment, new Uri(baseUrl).Port);
        factory.StartServer();
        return factory;
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
/// <summary>Every test class of token-api shares one fixture; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class TokenApiCollection : ICollectionFixture<TokenApiFixture>
{
    public const string Name = "token-api";
}
