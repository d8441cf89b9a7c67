namespace Token.Api.Features.Branches.Get;

public sealed record Request(int Id);
