namespace Token.Api.Features.Clients.Delete;

public sealed record Request(int Id);
