using FastEndpoints;
using FluentValidation;
using Token.Api.EndpointRules;

namespace Token.Api.Features.Tokens.Refresh;

/// <param name="AfterVersion">
/// The <c>token_version</c> the caller saw fail: when the token is newer already, that one is the answer, without a
/// call to the provider. Without it, the version there was when the request arrived.
/// </param>
public sealed record Request(int ClientId, long? AfterVersion = null) : IClientTokenRequest
{
    public static string Verb => "refresh";

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.ClientId).GreaterThan(0);
            RuleFor(r => r.AfterVersion).GreaterThanOrEqualTo(0);
        }
    }
}
