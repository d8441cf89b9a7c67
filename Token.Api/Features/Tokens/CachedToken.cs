namespace Token.Api.Features.Tokens;

/// <summary>A usable access token, decrypted, and when it should be refreshed.</summary>
public sealed record CachedToken(
    int ClientId, string AccessToken, string TokenType, DateTimeOffset ExpiresAt, DateTimeOffset RefreshAt,
    long Version);
