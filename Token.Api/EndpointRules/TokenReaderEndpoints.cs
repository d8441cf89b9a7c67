using FastEndpoints;
using Token.Api.Auth;

namespace Token.Api.EndpointRules;

/// <summary>
/// Endpoints that hand out one client's access token: keys with the <c>tokens:read</c> scope, limited to their
/// clients when they have a list (<see cref="ClientListCheck{TRequest}"/>); never cached.
/// </summary>
public sealed class TokenReaderEndpoints : Group
{
    public TokenReaderEndpoints() => Configure("", endpoint =>
    {
        endpoint.Policies(ApiKeyAuthenticationExtensions.TokensReadPolicy);
        endpoint.PreProcessors(Order.Before, typeof(ClientListCheck<>));
        endpoint.PreProcessor<NoStoreOnSuccess>(Order.Before);
    });
}
