using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.Admin.Audit;

/// <summary>
/// <c>GET /admin/audit?limit=&amp;before=&amp;action=&amp;target=</c>: who changed what, when and from where, newest
/// first.
/// </summary>
public sealed class Endpoint(TokenDbContext db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/admin/audit");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var limit = request.Limit ?? Request.DefaultLimit;
        var entries = db.AuditEntries.AsNoTracking();
        if (request.Before is { } before)
        {
            entries = entries.Where(e => e.Id < before);
        }
        if (request.Action is { } action)
        {
            entries = entries.Where(e => e.Action == action);
        }
        if (request.Target is { } target)
        {
            entries = entries.Where(e => e.Target == target);
        }

        // One more than asked for says whether another page follows.
        var page = await entries.OrderByDescending(e => e.Id).Take(limit + 1).ToListAsync(ct);
        var nextBefore = page.Count > limit ? page[limit - 1].Id : (long?)null;
        await Send.OkAsync(new Response([.. page.Take(limit).Select(Response.Entry.From)], nextBefore), ct);
    }
}
