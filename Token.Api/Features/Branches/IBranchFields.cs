namespace Token.Api.Features.Branches;

/// <summary>The optional descriptive fields shared by create and update.</summary>
public interface IBranchFields
{
    string? BranchName { get; }
    string? Email { get; }
    string? Description { get; }
    string? AccountId { get; }
    string? LocationId { get; }
}
