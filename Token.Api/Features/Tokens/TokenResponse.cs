namespace Token.Api.Features.Tokens;

/// <summary>
/// The legacy service's <c>validate</c> answer: callers read <c>is_valid</c> and <c>access_token</c>. When there is no
/// usable token, <c>access_token</c> is null and <c>reason</c> says why.
/// </summary>
public sealed record TokenResponse(
    int ClientId, string? AccessToken, string? TokenType, DateTimeOffset? ExpiresAt, bool IsValid, string? Reason)
{
    public static TokenResponse From(int clientId, TokenRead read) => read.Token is { } token
        ? new(clientId, token.AccessToken, token.TokenType, token.ExpiresAt, true, null)
        : new(clientId, null, null, null, false, read.Reason);
}
