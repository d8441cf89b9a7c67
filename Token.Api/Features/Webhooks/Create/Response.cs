namespace Token.Api.Features.Webhooks.Create;

/// <summary>The only answer that carries the signing secret (<c>whsec_</c> + base64): store it now.</summary>
public sealed record Response(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, DateTimeOffset CreatedAt,
    string Secret);
