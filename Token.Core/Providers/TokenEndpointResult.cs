namespace Token.Core.Providers;

/// <summary>Either the tokens or the provider's error.</summary>
public sealed record TokenEndpointResult(ProviderTokens? Tokens, ProviderError? Error);
