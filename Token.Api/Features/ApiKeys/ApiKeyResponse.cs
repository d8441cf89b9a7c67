using Token.Core.Data;

namespace Token.Api.Features.ApiKeys;

/// <summary>A key as listed: its prefix identifies it, the key itself is never shown again.</summary>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds,
    DateTimeOffset CreatedAt)
{
    public static ApiKeyResponse From(ApiKey key) =>
        new(key.Id, key.Name, key.Prefix, key.Scopes, key.ClientIds, key.CreatedAt);
}
