using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.Update;

/// <summary><c>PATCH /branches/{id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, BranchResponse>
{
    public override void Configure()
    {
        Patch("/branches/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var branch = await db.Branches.FirstOrDefaultAsync(b => b.Id == request.Id, ct);
        if (branch is null)
        {
            ThrowError($"Branch {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }

        branch.BranchName = request.BranchName ?? branch.BranchName;
        branch.Email = request.Email ?? branch.Email;
        branch.Description = request.Description ?? branch.Description;
        branch.AccountId = request.AccountId ?? branch.AccountId;
        branch.LocationId = request.LocationId ?? branch.LocationId;
        branch.IsActive = request.IsActive ?? branch.IsActive;
        branch.UpdatedAt = time.GetUtcNow();
        audit.Record(AuditAction.BranchUpdated, branch.Id, db.Entry(branch));
        await db.SaveChangesAsync(ct);
        await Send.OkAsync(BranchResponse.From(branch), ct);
    }
}
