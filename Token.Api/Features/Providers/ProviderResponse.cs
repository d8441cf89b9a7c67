using Token.Core.Providers;

namespace Token.Api.Features.Providers;

public sealed record ProviderResponse(
    string Name, string AuthorizationEndpoint, string TokenEndpoint, string? RevocationEndpoint,
    IReadOnlyList<string> Scopes,
    IReadOnlyDictionary<string, string> AuthorizationParameters, string TokenEndpointAuthMethod, bool BuiltIn)
{
    public static ProviderResponse From(ProviderDefinition p) =>
        new(
            p.Name, p.AuthorizationEndpoint, p.TokenEndpoint, p.RevocationEndpoint, p.Scopes, p.AuthorizationParameters,
            p.TokenEndpointAuthMethod, p.BuiltIn);
}
