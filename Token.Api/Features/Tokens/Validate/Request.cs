using FastEndpoints;

namespace Token.Api.Features.Tokens.Validate;

public sealed record Request([property: BindFrom("client_id")] int ClientId);
