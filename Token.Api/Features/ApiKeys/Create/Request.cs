using FastEndpoints;
using FluentValidation;
using Token.Api.Auth;

namespace Token.Api.Features.ApiKeys.Create;

/// <param name="AllClients">
/// A reading key reaches every client only when it says so: a forgotten <c>client_ids</c> must not mean "all".
/// </param>
public sealed record Request(
    string Name, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds, bool AllClients = false)
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
            RuleFor(r => r.ClientIds).Null().When(IsAdmin)
                .WithMessage("must be left out for an admin key: admin reaches every client, so a list would mislead");
            RuleFor(r => r.ClientIds).NotNull().When(r => !IsAdmin(r) && !r.AllClients)
                .WithMessage("must name the clients this key may read, or all_clients must be true");
            RuleFor(r => r.AllClients).Equal(false).When(r => r.ClientIds is not null)
                .WithMessage("cannot be true together with client_ids");
        }

        private static bool IsAdmin(Request request) => request.Scopes?.Contains(ApiScopes.Admin) == true;
    }
}
