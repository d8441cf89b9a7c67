namespace Token.Api.Features.Webhooks.Get;

public sealed record Request(Guid Id);
