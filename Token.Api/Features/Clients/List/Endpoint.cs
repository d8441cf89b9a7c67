using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Clients.List;

/// <summary><c>GET /clients</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : EndpointWithoutRequest<IReadOnlyList<ClientResponse>>
{
    public override void Configure()
    {
        Get("/clients");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var clients = await db.Clients.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        await Send.OkAsync([.. clients.Select(ClientResponse.From)], ct);
    }
}
