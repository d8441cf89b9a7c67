namespace Token.Api.Features.Tokens.GetCurrent;

public sealed record Response(
    int ClientId, string? AccessToken, string TokenType, string? Scope, DateTimeOffset ExpiresAt, bool IsValid,
    bool IsRevoked,
    long Version, DateTimeOffset? LastRefreshedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
