using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Core.Tests;

/// <summary>
/// The services token-api and token-refresher share, on a fresh database of a local PostgreSQL, with a clock the test
/// moves and a token endpoint the test scripts. Each test class gets its own database.
/// </summary>
public sealed class TokenServicesFixture : IAsyncLifetime
{
    public static readonly RefreshOptions Refresh = new()
    {
        Buffer = TimeSpan.FromMinutes(5), Jitter = 0, BackoffBase = TimeSpan.FromSeconds(5),
        BackoffMax = TimeSpan.FromMinutes(5), FailuresBeforeEvent = 3, CircuitFailures = 3,
        CircuitOpen = TimeSpan.FromSeconds(30), Lease = TimeSpan.FromSeconds(60)
    };

    private readonly LocalServers _servers = new(withRabbitMQ: false);
    private IHost? _host;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    public LocalTokenEndpoint Provider { get; private set; } = null!;
    public IServiceProvider Services => _host!.Services;

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        Provider = await LocalTokenEndpoint.StartAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:tokendb"] = await _servers.CreateDatabaseAsync(),
            ["TokenEncryption:Keys"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
            // The local token endpoint is plain http on loopback: reached only as a trusted origin, as the sandbox is
            // in Development.
            ["Providers:TrustedOrigins:0"] = Provider.BaseAddress.ToString(),
            ["Refresh:Buffer"] = Refresh.Buffer.ToString(),
            ["Refresh:Jitter"] = "0",
            ["Refresh:CircuitFailures"] = Refresh.CircuitFailures.ToString(),
            ["Logging:LogLevel:Default"] = "Warning"
        });
        builder.AddTokenDatabase();
        builder.AddTokenServices();
        builder.Services.AddSingleton<TimeProvider>(Time);
        _host = builder.Build();
        await _host.MigrateTokenDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            _host?.Dispose();
            if (Provider is not null)
            {
                await Provider.DisposeAsync();
            }
        }
        finally
        {
            await _servers.DisposeAsync();
        }
    }

    /// <summary>
    /// A client of a provider of its own (so circuits do not mix) whose token endpoint is <see cref="Provider"/>.
    /// </summary>
    public async Task<int> CreateClientAsync(string authMethod = ProviderDefinition.ClientSecretPost)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var name = "idp-" + Guid.NewGuid().ToString("N")[..10];
        var now = Time.GetUtcNow();
        db.Providers.Add(new Provider
        {
            Name = name, AuthorizationEndpoint = new Uri(Provider.BaseAddress, "/authorize").ToString(),
            TokenEndpoint = new Uri(Provider.BaseAddress, "/token").ToString(),
            RevocationEndpoint = new Uri(Provider.BaseAddress, "/revoke").ToString(),
            TokenEndpointAuthMethod = authMethod, CreatedAt = now, UpdatedAt = now
        });
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        var client = new Client
        {
            ClientId = clientId,
            ClientSecret = protector.Protect("secret-of-" + clientId, SecretContext.ClientSecret(clientId)),
            RedirectUri = "https://app.test/callback", Provider = name, CreatedAt = now, UpdatedAt = now
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    /// <summary>
    /// A client with a consented grant: access token "access-0", refresh token "refresh-0", one hour.
    /// </summary>
    public async Task<int> CreateGrantAsync(string authMethod = ProviderDefinition.ClientSecretPost)
    {
        var clientId = await CreateClientAsync(authMethod);
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GrantStore>().StoreIssuedAsync(
            clientId, new ProviderTokens("access-0", "Bearer", TimeSpan.FromHours(1), "refresh-0", null, Time.GetUtcNow()),
            CancellationToken.None);
        return clientId;
    }

    public async Task<OAuthToken> TokenOfAsync(int clientId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens
            .AsNoTracking().SingleAsync(t => t.ClientId == clientId);
    }

    /// <summary>This class's database goes away as in a restart, until the outage is disposed.</summary>
    public async Task<DatabaseOutage> TakeDatabaseAwayAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await DatabaseOutage.BeginAsync(
            scope.ServiceProvider.GetRequiredService<TokenDbContext>().Database.GetConnectionString()!);
    }

    /// <summary>The decrypted refresh token of the client's grant.</summary>
    public async Task<string?> RefreshTokenOfAsync(int clientId)
    {
        var token = await TokenOfAsync(clientId);
        return token.RefreshToken is null
            ? null
            : Services.GetRequiredService<SecretProtector>()
                .Unprotect(token.RefreshToken, SecretContext.RefreshToken(clientId));
    }

    /// <summary>The types of the events written for this client, oldest first.</summary>
    public async Task<List<string>> EventsOfAsync(int clientId)
    {
        await using var scope = Services.CreateAsyncScope();
        // The fake clock stands still between events, so equal times are ordered by their transactions (xmin).
        var outbox = await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Outbox
            .FromSql($"SELECT * FROM outbox ORDER BY created_at, xmin::text::bigint").AsNoTracking().ToListAsync();
        return [.. outbox
            .Where(m => System.Text.Json.JsonDocument.Parse(m.Payload).RootElement.GetProperty("clientId")
                .GetInt32() == clientId)
            .Select(m => m.MessageType[(m.MessageType.LastIndexOf('.') + 1)..])];
    }
}

/// <summary>Test classes on the database run one after another; each gets its own fixture and database.</summary>
[CollectionDefinition(Name)]
public sealed class DatabaseCollection
{
    public const string Name = "database";
}
