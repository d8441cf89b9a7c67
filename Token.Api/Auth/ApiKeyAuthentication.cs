using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Auth;

public static class ApiScopes
{
    public const string Admin = "admin";
    public const string TokensRead = "tokens:read";
    public static readonly string[] All = [Admin, TokensRead];
}

public sealed class ApiKeyOptions
{
    public const string Scheme = "ApiKey";
    public const string Header = "X-API-Key";

    /// <summary>The bootstrap admin key (Aspire secret parameter <c>admin-api-key</c>); never stored in the database.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>How long a key lookup is reused; also how long a deleted key may keep working on other instances.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Authenticates callers by their X-API-Key: the bootstrap admin key or a key stored (hashed) in api_keys.
/// It implements <see cref="IAuthenticationHandler"/> itself: <c>AuthenticationHandler&lt;T&gt;</c> creates a logger
/// through the LoggerFactory's one lock for every request, which at tens of thousands of requests a second every
/// thread waited for (docs/benchmarks.md).
/// </summary>
public sealed class ApiKeyHandler(IOptions<ApiKeyOptions> options, IMemoryCache cache, IServiceScopeFactory scopes) : IAuthenticationHandler
{
    public const string ScopeClaim = "scope";
    public const string ClientClaim = "client_id";

    public static string CacheKey(string keyHash) => $"api-key:{keyHash}";

    private static readonly Lock CreatingEntry = new();

    private readonly ApiKeyOptions _options = options.Value;
    private AuthenticationScheme _scheme = null!;
    private HttpContext _context = null!;
    private Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _scheme = scheme;
        _context = context;
        return Task.CompletedTask;
    }

    /// <summary>Once per request, however many times it is asked.</summary>
    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= AuthenticateOnceAsync();

    public Task ChallengeAsync(AuthenticationProperties? properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", $"Send a valid API key in the {ApiKeyOptions.Header} header.");

    public Task ForbidAsync(AuthenticationProperties? properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "This API key's scopes do not allow this operation.");

    private async Task<AuthenticateResult> AuthenticateOnceAsync()
    {
        if (!_context.Request.Headers.TryGetValue(ApiKeyOptions.Header, out var values) || values.ToString() is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = RandomValues.Hash(presented);
        // The lookup itself is cached, so a burst of requests with a key this instance has not seen (or whose entry
        // just expired) waits for one database query instead of each opening a connection of its own. IMemoryCache
        // does not make a miss atomic: concurrent misses take a lock to create the entry, and the lookup starts
        // (once, through Lazy) outside it.
        if (!cache.TryGetValue(CacheKey(hash), out Lazy<Task<ClaimsIdentity?>>? lookup))
        {
            lock (CreatingEntry)
            {
                lookup = cache.GetOrCreate(CacheKey(hash), entry =>
                {
                    entry.AbsoluteExpirationRelativeToNow = _options.CacheDuration;
                    return new Lazy<Task<ClaimsIdentity?>>(() => FindAsync(hash));
                });
            }
        }
        ClaimsIdentity? key;
        try
        {
            key = await lookup!.Value;
        }
        catch
        {
            // A failed lookup (database away) is not remembered: the next request asks again.
            cache.Remove(CacheKey(hash));
            throw;
        }

        return key is null
            ? AuthenticateResult.Fail("The API key is not valid.")
            : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(key), _scheme.Name));
    }

    private async Task<ClaimsIdentity?> FindAsync(string hash)
    {
        if (_options.AdminApiKey is { Length: > 0 } admin &&
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(RandomValues.Hash(admin)), Encoding.ASCII.GetBytes(hash)))
        {
            return Identity("bootstrap-admin", [ApiScopes.Admin], clientIds: null);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var stored = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash);
        return stored is null ? null : Identity(stored.Id.ToString(), stored.Scopes, stored.ClientIds);
    }

    private static ClaimsIdentity Identity(string keyId, IEnumerable<string> scopes, IEnumerable<int>? clientIds) => new(
        [
            new Claim(ClaimTypes.NameIdentifier, keyId),
            .. scopes.Select(scope => new Claim(ScopeClaim, scope)),
            .. (clientIds ?? []).Select(id => new Claim(ClientClaim, id.ToString()))
        ],
        ApiKeyOptions.Scheme);

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        _context.Response.StatusCode = status;
        return _context.Response.WriteAsJsonAsync(new { type = $"https://httpstatuses.io/{status}", title, status, detail }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}

public static class ApiKeyPrincipalExtensions
{
    /// <summary>Admins reach every client; other keys only the clients in their list, if they have one.</summary>
    public static bool MayAccessClient(this ClaimsPrincipal user, int clientId) =>
        user.HasClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin)
        || !user.HasClaim(claim => claim.Type == ApiKeyHandler.ClientClaim)
        || user.HasClaim(ApiKeyHandler.ClientClaim, clientId.ToString());
}

public static class ApiKeyAuthenticationExtensions
{
    public const string AdminPolicy = "admin";
    public const string TokensReadPolicy = "tokens:read";

    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddAuthentication(options =>
        {
            options.AddScheme<ApiKeyHandler>(ApiKeyOptions.Scheme, ApiKeyOptions.Scheme);
            options.DefaultScheme = ApiKeyOptions.Scheme;
        });
        builder.Services.AddTransient<ApiKeyHandler>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration("Auth");
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin))
            .AddPolicy(TokensReadPolicy, policy => policy.RequireClaim(ApiKeyHandler.ScopeClaim, ApiScopes.Admin, ApiScopes.TokensRead));
        return builder;
    }
}
