namespace Token.Api.Features.Branches.Update;

/// <summary>Only the fields present change; a branch stays with its client.</summary>
public sealed record Request(
    int Id, string? BranchName, string? Email, string? Description, string? AccountId, string? LocationId,
    bool? IsActive)
    : IBranchFields
{
    internal sealed class Validator : BranchFieldsValidator<Request>;
}
