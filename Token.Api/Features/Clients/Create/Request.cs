using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Clients.Create;

public sealed record Request(string ClientId, string ClientSecret, string RedirectUri, string? Provider, bool? IsActive)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.ClientId).NotEmpty().MaximumLength(255);
            RuleFor(r => r.ClientSecret).NotEmpty().MaximumLength(1000);
            RuleFor(r => r.RedirectUri).NotEmpty().MustBeRedirectUri();
            RuleFor(r => r.Provider).MaximumLength(50);
        }
    }
}
