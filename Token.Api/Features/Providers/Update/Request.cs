namespace Token.Api.Features.Providers.Update;

public sealed record Request(
    string Name, string? AuthorizationEndpoint, string? TokenEndpoint, string? RevocationEndpoint,
    IReadOnlyList<string>? Scopes,
    Dictionary<string, string>? AuthorizationParameters, string? TokenEndpointAuthMethod) : IProviderFields
{
    internal sealed class Validator : ProviderFieldsValidator<Request>;
}
