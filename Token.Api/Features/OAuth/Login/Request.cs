using FastEndpoints;

namespace Token.Api.Features.OAuth.Login;

public sealed record Request([property: BindFrom("client_id")] int ClientId, string? Ticket);
