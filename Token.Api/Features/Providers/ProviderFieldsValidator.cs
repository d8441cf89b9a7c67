using FastEndpoints;
using FluentValidation;
using Token.Api.EndpointRules;
using Token.Api.Features.Clients;
using Token.Core.Outbound;
using Token.Core.Providers;

namespace Token.Api.Features.Providers;

public abstract class ProviderFieldsValidator<T> : Validator<T> where T : IProviderFields
{
    // These are set by the platform on every authorization request; a provider may not override them.
    private static readonly HashSet<string> ReservedParameters =
        ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"];

    protected ProviderFieldsValidator()
    {
        RuleFor(r => r.AuthorizationEndpoint).MustBeEndpointUrl();
        RuleFor(r => r.TokenEndpoint).MustBeEndpointUrl();
        RuleFor(r => r.RevocationEndpoint).MustBeEndpointUrl();
        // The platform itself calls these two (the authorization endpoint only the owner's browser opens).
        RuleFor(r => r.TokenEndpoint).MustBeAllowedOutbound("token_endpoint", Resolve<OutboundRules>);
        RuleFor(r => r.RevocationEndpoint).MustBeAllowedOutbound("revocation_endpoint", Resolve<OutboundRules>);
        RuleFor(r => r.Scopes)
            .Must(scopes => scopes!.Count <= 50 && scopes.All(s => s.Length is > 0 and <= 500 && !s.Contains(' ')))
            .When(r => r.Scopes is not null).WithMessage("must be at most 50 non-empty scopes without spaces");
        RuleFor(r => r.AuthorizationParameters)
            .Must(parameters => parameters!.Count <= 20 && parameters.All(p =>
                p.Key.Length is > 0 and <= 100 && p.Value.Length <= 500 && !ReservedParameters.Contains(p.Key)))
            .When(r => r.AuthorizationParameters is not null)
            .WithMessage(
                "must be at most 20 parameters, none of them one the platform sets itself (state, client_id, …)");
        RuleFor(r => r.TokenEndpointAuthMethod)
            .Must(
                method => method is null or ProviderDefinition.ClientSecretPost or ProviderDefinition.ClientSecretBasic)
            .WithMessage($"must be {ProviderDefinition.ClientSecretPost} or {ProviderDefinition.ClientSecretBasic}");
    }
}
