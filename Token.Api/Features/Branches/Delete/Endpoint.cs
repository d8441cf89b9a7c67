using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Branches.Delete;

/// <summary><c>DELETE /branches/{id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/branches/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (await db.Branches.Where(b => b.Id == request.Id).ExecuteDeleteAsync(ct) == 0)
        {
            ThrowError($"Branch {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.NoContentAsync(ct);
    }
}
