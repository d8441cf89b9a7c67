namespace Token.Core.Providers;

/// <summary>A token endpoint's successful answer (RFC 6749 §5.1).</summary>
public sealed record ProviderTokens(
    string AccessToken, string TokenType, TimeSpan ExpiresIn, string? RefreshToken, string? Scope);
