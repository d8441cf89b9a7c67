namespace Token.Api.Features.Branches.Delete;

public sealed record Request(int Id);
