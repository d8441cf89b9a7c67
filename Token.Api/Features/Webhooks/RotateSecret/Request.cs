using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Webhooks.RotateSecret;

/// <param name="OverlapSeconds">
/// How long the old secret still signs beside the new one (default <c>Webhooks:SecretOverlap</c>, 24 h); 0 ends it
/// at once, for a secret that leaked.
/// </param>
public sealed record Request(Guid Id, int? OverlapSeconds)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator() =>
            RuleFor(r => r.OverlapSeconds).InclusiveBetween(0, 7 * 24 * 3600)
                .WithMessage("must be 0 to 604800 seconds (7 days)");
    }
}
