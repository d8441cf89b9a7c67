using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.Create;

/// <summary><c>POST /branches</c>: a business location of a client.</summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, BranchResponse>
{
    public override void Configure()
    {
        Post("/branches");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (!await db.Clients.AnyAsync(c => c.Id == request.ClientId, ct))
        {
            ThrowError($"Client {request.ClientId} does not exist.", StatusCodes.Status404NotFound);
        }
        if (await db.Branches.AnyAsync(b => b.BranchId == request.BranchId, ct))
        {
            ThrowError($"A branch with branch_id '{request.BranchId}' already exists.", StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNow();
        var branch = new Branch
        {
            BranchId = request.BranchId,
            ClientId = request.ClientId,
            BranchName = request.BranchName,
            Email = request.Email,
            Description = request.Description,
            AccountId = request.AccountId,
            LocationId = request.LocationId,
            IsActive = request.IsActive ?? true,
            CreatedAt = now,
            UpdatedAt = now
        };
        db.Branches.Add(branch);
        await audit.SaveCreatedAsync(AuditAction.BranchCreated, branch, b => b.Id, ct);
        await Send.CreatedAtAsync<Get.Endpoint>(new { id = branch.Id }, BranchResponse.From(branch), cancellation: ct);
    }
}
