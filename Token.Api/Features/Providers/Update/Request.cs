namespace Token.Api.Features.Providers.Update;

/// <summary>
/// <paramref name="RevokeGrants"/>: true to change where grants' tokens go while clients hold grants, which revokes
/// those grants.
/// </summary>
public sealed record Request(
    string Name, string? AuthorizationEndpoint, string? TokenEndpoint, string? RevocationEndpoint,
    IReadOnlyList<string>? Scopes,
    Dictionary<string, string>? AuthorizationParameters, string? TokenEndpointAuthMethod, bool? RevokeGrants)
    : IProviderFields
{
    internal sealed class Validator : ProviderFieldsValidator<Request>;
}
