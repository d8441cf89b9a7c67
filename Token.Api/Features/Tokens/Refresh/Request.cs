using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Tokens.Refresh;

public sealed record Request(int ClientId)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator() => RuleFor(r => r.ClientId).GreaterThan(0);
    }
}
