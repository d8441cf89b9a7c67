using FastEndpoints;
using FluentValidation;
using Token.Api.EndpointRules;

namespace Token.Api.Features.Tokens.Refresh;

public sealed record Request(int ClientId) : IClientTokenRequest
{
    public static string Verb => "refresh";

    internal sealed class Validator : Validator<Request>
    {
        public Validator() => RuleFor(r => r.ClientId).GreaterThan(0);
    }
}
