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

    private readonly SandboxProcess _sandbox = new();
    private readonly LocalServers _servers = new(withRabbitMQ: true);
    private TokenApiFactory? _factory;
    private Dictionary<string, string?> _settings = [];

    public TokenPlatformApi Api { get; private set; } = null!;

    /// <summary>Where token-api listens, e.g. for a gateway in front of it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>token-api's own services, e.g. to look at what it holds in memory.</summary>
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_servers.InitializeAsync(), _sandbox.InitializeAsync());

        var baseUrl = $"http://127.0.0.1:{MachineProbe.FreeTcpPort()}";
        BaseUrl = new Uri(baseUrl);
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:tokendb"] = _servers.PostgresConnectionString,
            ["ConnectionStrings:messaging"] = _servers.RabbitMQConnectionString,
            ["Auth:AdminApiKey"] = AdminApiKey,
            ["TokenEncryption:Keys"] = EncryptionKey,
            ["Providers:SandboxBaseUrl"] = _sandbox.BaseAddress.ToString(),
            // As the AppHost does in Development: the sandbox is plain http on loopback.
            ["Providers:TrustedOrigins:0"] = _sandbox.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PublicUrl:BaseUrl"] = baseUrl,
            ["Logging:LogLevel:Default"] = "Warning"
        };
        _factory = new TokenApiFactory(new Uri(baseUrl), _settings, Environments.Development);
        _factory.StartServer();

        Api = new TokenPlatformApi(new PlatformEndpoints(
            Api: apiKey =>
            {
                var client = _factory.CreateClient();
                if (apiKey is not null)
                {
                    client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
                }
                return client;
            },
            Sandbox: () => new HttpClient { BaseAddress = _sandbox.BaseAddress },
            ConnectionString: () => Task.FromResult(_servers.PostgresConnectionString),
            Reachable: url => url,
            AdminApiKey,
            CallbackUrl: $"{baseUrl}/auth/callback"));
    }

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
        var factory = new TokenApiFactory(new Uri(baseUrl), settings, environment);
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
            await _sandbox.DisposeAsync();
        }
        finally
        {
            await _servers.DisposeAsync();
        }
    }

    private sealed class TokenApiFactory : WebApplicationFactory<Program>
    {
        private readonly IReadOnlyDictionary<string, string?> _settings;
        private readonly string _environment;

        public TokenApiFactory(Uri baseUrl, IReadOnlyDictionary<string, string?> settings, string environment)
        {
            (_settings, _environment) = (settings, environment);
            UseKestrel(baseUrl.Port);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(_environment);
            // Settings given this way are there before Program reads them (connection strings at registration).
            foreach (var (key, value) in _settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

/// <summary>Every test class of token-api shares one fixture; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class TokenApiCollection : ICollectionFixture<TokenApiFixture>
{
    public const string Name = "token-api";
}
