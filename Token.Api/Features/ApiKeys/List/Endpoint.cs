using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.ApiKeys.List;

/// <summary><c>GET /api-keys</c>.</summary>
public sealed class Endpoint(TokenDbContext db) : EndpointWithoutRequest<IReadOnlyList<ApiKeyResponse>>
{
    public override void Configure()
    {
        Get("/api-keys");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct);
        await Send.OkAsync([.. keys.Select(ApiKeyResponse.From)], ct);
    }
}
