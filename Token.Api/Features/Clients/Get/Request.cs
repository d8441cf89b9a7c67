namespace Token.Api.Features.Clients.Get;

public sealed record Request(int Id);
