namespace Token.Api.Features.Providers.Delete;

public sealed record Request(string Name);
