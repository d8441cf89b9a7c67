namespace Token.Api.Features.ApiKeys.Delete;

public sealed record Request(Guid Id);
