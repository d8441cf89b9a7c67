namespace Token.Api.Features.Providers.Get;

public sealed record Request(string Name);
