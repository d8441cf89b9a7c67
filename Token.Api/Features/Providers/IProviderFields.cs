namespace Token.Api.Features.Providers;

/// <summary>The fields shared by create and update; null means "not given".</summary>
public interface IProviderFields
{
    string? AuthorizationEndpoint { get; }
    string? TokenEndpoint { get; }
    string? RevocationEndpoint { get; }
    IReadOnlyList<string>? Scopes { get; }
    Dictionary<string, string>? AuthorizationParameters { get; }
    string? TokenEndpointAuthMethod { get; }
}
