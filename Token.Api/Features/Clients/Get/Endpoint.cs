using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Clients.Get;

/// <summary><c>GET /clients/{id}</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, ClientResponse>
{
    public override void Configure()
    {
        Get("/clients/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.Id, ct);
        if (client is null)
        {
            ThrowError($"Client {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(ClientResponse.From(client), ct);
    }
}
