using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Token.Core.Data;

namespace Token.Core.Providers;

/// <summary>The built-in providers and the ones admins registered, by name.</summary>
public sealed class ProviderCatalog(TokenDbContext db, IOptions<ProviderOptions> options)
{
    public IReadOnlyList<ProviderDefinition> BuiltIn { get; } =
        options.Value.SandboxBaseUrl is { Length: > 0 } sandbox
            ? [ProviderDefinition.Google, ProviderDefinition.Sandbox(sandbox)]
            : [ProviderDefinition.Google];

    public bool IsBuiltIn(string name) => BuiltIn.Any(provider => provider.Name == name);

    public async Task<ProviderDefinition?> FindAsync(string name, CancellationToken ct)
    {
        if (BuiltIn.FirstOrDefault(provider => provider.Name == name) is { } builtIn)
        {
            return builtIn;
        }
        var stored = await db.Providers.AsNoTracking().FirstOrDefaultAsync(provider => provider.Name == name, ct);
        return stored is null ? null : ToDefinition(stored);
    }

    public async Task<IReadOnlyList<ProviderDefinition>> ListAsync(CancellationToken ct)
    {
        var registered = await db.Providers.AsNoTracking().OrderBy(provider => provider.Name).ToListAsync(ct);
        return [.. BuiltIn, .. registered.Select(ToDefinition)];
    }

    public static ProviderDefinition ToDefinition(Provider provider) => new(
        provider.Name, provider.AuthorizationEndpoint, provider.TokenEndpoint, provider.RevocationEndpoint,
        provider.Scopes, provider.AuthorizationParameters, provider.TokenEndpointAuthMethod, BuiltIn: false);
}
