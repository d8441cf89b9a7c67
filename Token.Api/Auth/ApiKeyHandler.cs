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

/// <summary>
/// Authenticates callers by their X-API-Key: the bootstrap admin key or a key stored (hashed) in api_keys.
/// Implements <see cref="IAuthenticationHandler"/> itself: the base class takes a lock per request
/// (docs/architecture.md, "API-key authentication").
/// </summary>
public sealed class ApiKeyHandler(
    IOptions<ApiKeyOptions> options, IMemoryCache cache, UnknownApiKeys unknown, IServiceScopeFactory scopes)
    : IAuthenticationHandler
{
    public const string ScopeClaim = "scope";
    public const string ClientClaim = "client_id";

    /// <summary>The key id of the bootstrap admin key (it has no row), as the audit trail names its caller.</summary>
    public const string BootstrapKeyId = "bootstrap-admin";

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
        WriteProblemAsync(
            StatusCodes.Status401Unauthorized, "Unauthorized",
            $"Send a valid API key in the {ApiKeyOptions.Header} header.");

    public Task ForbidAsync(AuthenticationProperties? properties) =>
        WriteProblemAsync(
            StatusCodes.Status403Forbidden, "Forbidden", "This API key's scopes do not allow this operation.");

    private async Task<AuthenticateResult> AuthenticateOnceAsync()
    {
        if (!_context.Request.Headers.TryGetValue(ApiKeyOptions.Header, out var values)
            || values.ToString() is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = RandomValues.Hash(presented);
        // A burst of misses for one key waits for a single lookup (IMemoryCache does not make a miss atomic).
        if (!cache.TryGetValue(CacheKey(hash), out Lazy<Task<ClaimsIdentity?>>? lookup))
        {
            // Known keys are found above; only a key not found there is looked for among the unknown ones.
            if (unknown.Contains(hash))
            {
                return AuthenticateResult.Fail("The API key is not valid.");
            }
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

        if (key is null)
        {
            // Misses live in their own bounded cache: made-up keys must not fill the one valid keys are kept in.
            cache.Remove(CacheKey(hash));
            unknown.Remember(hash);
            return AuthenticateResult.Fail("The API key is not valid.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(key), _scheme.Name));
    }

    private async Task<ClaimsIdentity?> FindAsync(string hash)
    {
        if (_options.AdminApiKey is { Length: > 0 } admin &&
            CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(RandomValues.Hash(admin)), Encoding.ASCII.GetBytes(hash)))
        {
            return Identity(BootstrapKeyId, [ApiScopes.Admin], clientIds: null);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var stored = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash);
        return stored is null ? null : Identity(stored.Id.ToString(), stored.Scopes, stored.ClientIds);
    }

    private static ClaimsIdentity Identity(
        string keyId, IEnumerable<string> scopes, IEnumerable<int>? clientIds) => new(
        [
            new Claim(ClaimTypes.NameIdentifier, keyId),
            .. scopes.Select(scope => new Claim(ScopeClaim, scope)),
            .. (clientIds ?? []).Select(id => new Claim(ClientClaim, id.ToString()))
        ],
        ApiKeyOptions.Scheme);

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        _context.Response.StatusCode = status;
        return _context.Response.WriteAsJsonAsync(
            new { type = $"https://httpstatuses.io/{status}", title, status, detail },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
