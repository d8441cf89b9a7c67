using FastEndpoints;
using FluentValidation;

namespace Token.Api.Features.Branches;

public abstract class BranchFieldsValidator<T> : Validator<T> where T : IBranchFields
{
    protected BranchFieldsValidator()
    {
        RuleFor(r => r.BranchName).MaximumLength(255);
        RuleFor(r => r.Email).EmailAddress().MaximumLength(320).When(r => r.Email is not null);
        RuleFor(r => r.Description).MaximumLength(2000);
        RuleFor(r => r.AccountId).MaximumLength(255);
        RuleFor(r => r.LocationId).MaximumLength(255);
    }
}
