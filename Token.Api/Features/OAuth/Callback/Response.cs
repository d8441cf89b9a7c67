namespace Token.Api.Features.OAuth.Callback;

public sealed record Response(
    int ClientId, string Status, string TokenType, DateTimeOffset ExpiresAt, long TokenVersion);
