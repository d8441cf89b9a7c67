using FastEndpoints;

namespace Token.Api.Features.Branches.GetByBranchId;

public sealed record Request([property: BindFrom("branch_id")] string BranchId);
