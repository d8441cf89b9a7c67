using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Clients.Update;

/// <summary>
/// Only the fields present change. <paramref name="RevokeGrants"/>: true to move a client that holds a grant to
/// another provider, which revokes that grant.
/// </summary>
public sealed record Request(
    int Id, string? ClientSecret, string? RedirectUri, string? Provider, bool? IsActive, bool? RevokeGrants)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.ClientSecret).NotEmpty().MaximumLength(1000).When(r => r.ClientSecret is not null);
            RuleFor(r => r.RedirectUri).MustBeRedirectUri();
            RuleFor(r => r.Provider).NotEmpty().MaximumLength(50).When(r => r.Provider is not null);
        }
    }
}
