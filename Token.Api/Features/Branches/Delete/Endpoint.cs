using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.Delete;

/// <summary><c>DELETE /branches/{id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/branches/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var branch = await db.Branches.FirstOrDefaultAsync(b => b.Id == request.Id, ct);
        if (branch is null)
        {
            ThrowError($"Branch {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        db.Branches.Remove(branch);
        audit.Record(AuditAction.BranchDeleted, branch.Id);
        await db.SaveChangesAsync(ct);
        await Send.NoContentAsync(ct);
    }
}
