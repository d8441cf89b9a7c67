using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Token.Api.Features.Providers.Create;

public sealed record Request(
    string Name, string? AuthorizationEndpoint, string? TokenEndpoint, string? RevocationEndpoint,
    IReadOnlyList<string>? Scopes,
    Dictionary<string, string>? AuthorizationParameters, string? TokenEndpointAuthMethod) : IProviderFields
{
    internal sealed class Validator : ProviderFieldsValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().Matches("^[a-z0-9][a-z0-9-]{0,49}$")
                .WithMessage("must be 1-50 lowercase letters, digits or dashes");
            RuleFor(r => r.AuthorizationEndpoint).NotEmpty();
            RuleFor(r => r.TokenEndpoint).NotEmpty();
        }
    }
}
