using FastEndpoints;

namespace Token.Api.Features.Tokens.Revoke;

public sealed record Request([property: BindFrom("client_id")] int ClientId);
