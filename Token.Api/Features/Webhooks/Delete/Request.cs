namespace Token.Api.Features.Webhooks.Delete;

public sealed record Request(Guid Id);
