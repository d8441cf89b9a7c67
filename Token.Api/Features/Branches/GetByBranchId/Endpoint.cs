using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.GetByBranchId;

/// <summary><c>GET /branches/by-branch-id/{branch_id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, BranchResponse>
{
    public override void Configure()
    {
        Get("/branches/by-branch-id/{branch_id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var branch = await db.Branches.AsNoTracking().FirstOrDefaultAsync(b => b.BranchId == request.BranchId, ct);
        if (branch is null)
        {
            ThrowError($"Branch '{request.BranchId}' does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(BranchResponse.From(branch), ct);
    }
}
