namespace Token.Api.Features.ApiKeys.Create;

/// <summary>The only answer that carries the key itself: store it now.</summary>
public sealed record Response(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds,
    DateTimeOffset CreatedAt, string ApiKey);
