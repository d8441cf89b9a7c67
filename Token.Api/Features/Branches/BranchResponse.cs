using Token.Core.Data;

namespace Token.Api.Features.Branches;

public sealed record BranchResponse(
    int Id, string BranchId, int ClientId, string? BranchName, string? Email, string? Description, string? AccountId,
    string? LocationId,
    bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static BranchResponse From(Branch b) =>
        new(
            b.Id, b.BranchId, b.ClientId, b.BranchName, b.Email, b.Description, b.AccountId, b.LocationId, b.IsActive,
            b.CreatedAt, b.UpdatedAt);
}
