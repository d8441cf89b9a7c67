namespace Token.Api.Features.Tokens;

/// <summary>
/// The legacy service's <c>validate</c> answer: callers read <c>is_valid</c> and <c>access_token</c>. When there is no
/// usable token, <c>access_token</c> is null and <c>reason</c> says why. <c>token_version</c> grows with every change
/// of the grant; a caller whose token the provider refused names it in <c>POST /tokens/refresh</c>.
/// </summary>
public sealed record TokenResponse(
    int ClientId, string? AccessToken, string? TokenType, DateTimeOffset? ExpiresAt, bool IsValid, string? Reason,
    long? TokenVersion)
{
    public static TokenResponse From(int clientId, TokenRead read) => read.Token is { } token
        ? new(clientId, token.AccessToken, token.TokenType, token.ExpiresAt, true, null, token.Version)
        : new(clientId, null, null, null, false, read.Reason, null);
}
