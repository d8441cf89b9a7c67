using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Token.Api.Features.Branches.Create;

public sealed record Request(
    string BranchId, int ClientId, string? BranchName, string? Email, string? Description, string? AccountId,
    string? LocationId, bool? IsActive)
    : IBranchFields
{
    internal sealed class Validator : BranchFieldsValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.BranchId).NotEmpty().MaximumLength(255);
            RuleFor(r => r.ClientId).GreaterThan(0);
        }
    }
}
