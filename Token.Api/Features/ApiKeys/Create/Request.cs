using FastEndpoints;
using FluentValidation;
using Token.Api.Auth;

namespace Token.Api.Features.ApiKeys.Create;

public sealed record Request(string Name, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Scopes).NotEmpty().Must(scopes => scopes.All(ApiScopes.All.Contains))
                .WithMessage($"must be one or more of: {string.Join(", ", ApiScopes.All)}");
            RuleFor(r => r.ClientIds).Must(ids => ids!.Count is > 0 and <= 1000 && ids.All(id => id > 0))
                .When(r => r.ClientIds is not null).WithMessage("must list 1 to 1000 client ids");
        }
    }
}
