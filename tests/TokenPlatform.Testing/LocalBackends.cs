namespace TokenPlatform.Testing;

/// <summary>
/// What our services need around them when a test runs them in its own process: PostgreSQL, RabbitMQ and the
/// sandbox provider, started for one fixture, and the settings that point a service at them, as the AppHost's
/// Development run does.
/// </summary>
public sealed class LocalBackends : IAsyncDisposable
{
    private readonly SandboxProcess _sandbox = new();
    private readonly LocalServers _servers = new(withRabbitMQ: true);

    public string PostgresConnectionString => _servers.PostgresConnectionString;

    /// <summary>The broker's amqp:// URI, e.g. for a subscriber of the events.</summary>
    public string RabbitMQConnectionString => _servers.RabbitMQConnectionString;

    /// <summary>A new, empty database on the same server.</summary>
    public Task<string> CreateDatabaseAsync() => _servers.CreateDatabaseAsync();

    public Task StartAsync() => Task.WhenAll(_servers.InitializeAsync(), _sandbox.InitializeAsync());

    /// <summary>A service's settings: these servers, these keys, links made from <paramref name="publicUrl"/>.</summary>
    public Dictionary<string, string?> Settings(string adminApiKey, string encryptionKey, Uri publicUrl) => new()
    {
        ["ConnectionStrings:tokendb"] = _servers.PostgresConnectionString,
        ["ConnectionStrings:messaging"] = _servers.RabbitMQConnectionString,
        ["Auth:AdminApiKey"] = adminApiKey,
        ["TokenEncryption:Keys"] = encryptionKey,
        ["Providers:SandboxBaseUrl"] = _sandbox.BaseAddress.ToString(),
        // As the AppHost does in Development: the sandbox is plain http on loopback.
        ["Providers:TrustedOrigins:0"] = _sandbox.BaseAddress.GetLeftPart(UriPartial.Authority),
        ["PublicUrl:BaseUrl"] = publicUrl.ToString(),
        ["Logging:LogLevel:Default"] = "Warning"
    };

    /// <summary>The platform as a test calls it: token-api through <paramref name="tokenApi"/>'s clients.</summary>
    /// <param name="gateway">Where a gateway in front of token-api listens: the links token-api makes (from
    /// <paramref name="publicUrl"/>) are opened there. None: they are opened as they are.</param>
    /// <param name="database">The connection string of token-api's database, when it is not the servers' default.</param>
    public TokenPlatformApi Api(
        Func<HttpClient> tokenApi, string adminApiKey, Uri publicUrl, Uri? gateway = null, string? database = null) =>
        new(new PlatformEndpoints(
            Api: apiKey =>
            {
                var client = tokenApi();
                if (apiKey is not null)
                {
                    client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
                }
                return client;
            },
            Sandbox: () => new HttpClient { BaseAddress = _sandbox.BaseAddress },
            ConnectionString: () => Task.FromResult(database ?? _servers.PostgresConnectionString),
            Reachable: url => gateway is null
                ? url
                : new UriBuilder(new Uri(url)) { Host = gateway.Host, Port = gateway.Port }.Uri.ToString(),
            adminApiKey,
            CallbackUrl: new Uri(publicUrl, "/auth/callback").ToString()));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _sandbox.DisposeAsync();
        }
        finally
        {
            await _servers.DisposeAsync();
        }
    }
}
