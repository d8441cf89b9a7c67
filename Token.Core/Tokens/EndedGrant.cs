namespace Token.Core.Tokens;

/// <summary>
/// A grant ended by a change of its provider, as its issuer knows it: held in memory only, to revoke it there once
/// the change is committed.
/// </summary>
public sealed record EndedGrant(
    int ClientId, string OAuthClientId, string? ClientSecret, string? AccessToken, string? RefreshToken);
