namespace Token.Api.Features.Tokens.Revoke;

public sealed record Response(int ClientId, bool Revoked, bool ProviderConfirmed);
