using FastEndpoints;
using Token.Api.Auth;

namespace Token.Api.EndpointRules;

/// <summary>Endpoints that manage the platform: only admin keys may call them.</summary>
public sealed class AdminEndpoints : Group
{
    public AdminEndpoints() => Configure("", endpoint => endpoint.Policies(ApiKeyAuthenticationExtensions.AdminPolicy));
}
