using FastEndpoints;
using Token.Api.EndpointRules;

namespace Token.Api.Features.Tokens.Validate;

public sealed record Request([property: BindFrom("client_id")] int ClientId) : IClientTokenRequest
{
    public static string Verb => "read";
}
