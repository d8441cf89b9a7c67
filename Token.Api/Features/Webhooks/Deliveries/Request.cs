using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Webhooks.Deliveries;

public sealed record Request(Guid Id, [property: QueryParam] int? Limit)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator() => RuleFor(r => r.Limit).InclusiveBetween(1, 500).WithMessage("must be 1 to 500");
    }
}
