using FastEndpoints;

namespace Token.Api.Features.Tokens.GetCurrent;

public sealed record Request([property: BindFrom("client_id")] int ClientId);
