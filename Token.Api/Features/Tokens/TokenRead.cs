namespace Token.Api.Features.Tokens;

/// <summary>Either a usable token or why there is none.</summary>
public sealed record TokenRead(CachedToken? Token, string? Reason);
