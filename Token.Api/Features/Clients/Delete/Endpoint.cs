using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Api.Features.Tokens;
using Token.Core.Data;

namespace Token.Api.Features.Clients.Delete;

/// <summary>
/// <c>DELETE /clients/{id}</c>: the client, its branches, grant and pending authorizations (cascade).
/// </summary>
public sealed class Endpoint(TokenDbContext db, TokenCache cache) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/clients/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (await db.Clients.Where(c => c.Id == request.Id).ExecuteDeleteAsync(ct) == 0)
        {
            ThrowError($"Client {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        cache.Forget(request.Id);
        await Send.NoContentAsync(ct);
    }
}
