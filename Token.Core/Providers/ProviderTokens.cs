namespace Token.Core.Providers;

/// <summary>
/// A token endpoint's successful answer (RFC 6749 §5.1), and when its request was sent: <c>expires_in</c> counts from
/// then, since the provider started its clock no earlier, however long the answer took to arrive or to be stored.
/// </summary>
public sealed record ProviderTokens(
    string AccessToken, string TokenType, TimeSpan ExpiresIn, string? RefreshToken, string? Scope,
    DateTimeOffset RequestedAt)
{
    public DateTimeOffset ExpiresAt => RequestedAt + ExpiresIn;
}
