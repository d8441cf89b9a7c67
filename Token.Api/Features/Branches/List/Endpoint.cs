using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.List;

/// <summary><c>GET /branches?client_id=&amp;location_id=</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, IReadOnlyList<BranchResponse>>
{
    public override void Configure()
    {
        Get("/branches");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var branches = db.Branches.AsNoTracking();
        if (request.ClientId is { } clientId)
        {
            branches = branches.Where(b => b.ClientId == clientId);
        }
        if (request.LocationId is { } locationId)
        {
            branches = branches.Where(b => b.LocationId == locationId);
        }
        await Send.OkAsync([.. (await branches.OrderBy(b => b.Id).ToListAsync(ct)).Select(BranchResponse.From)], ct);
    }
}
