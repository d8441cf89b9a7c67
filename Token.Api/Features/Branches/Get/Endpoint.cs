using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.Get;

/// <summary><c>GET /branches/{id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, BranchResponse>
{
    public override void Configure()
    {
        Get("/branches/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var branch = await db.Branches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == request.Id, ct);
        if (branch is null)
        {
            ThrowError($"Branch {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(BranchResponse.From(branch), ct);
    }
}
