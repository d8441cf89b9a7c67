using FastEndpoints;

namespace Token.Api.Features.OAuth.Start;

public sealed record Request([property: BindFrom("client_id")] int ClientId);
