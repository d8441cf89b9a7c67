using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Token.Api.Auth;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;

namespace Token.Api.Features.ApiKeys.Delete;

/// <summary>
/// <c>DELETE /api-keys/{id}</c>: the key stops working here at once, on other instances within
/// <see cref="ApiKeyOptions.CacheDuration"/>.
/// </summary>
public sealed class Endpoint(TokenDbContext db, IMemoryCache cache, AuditTrail audit) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("/api-keys/{id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == request.Id, ct);
        if (key is null)
        {
            ThrowError($"API key {request.Id} does not exist.", StatusCodes.Status404NotFound);
        }
        db.ApiKeys.Remove(key);
        audit.Record(AuditAction.ApiKeyDeleted, key.Id);
        await db.SaveChangesAsync(ct);
        cache.Remove(ApiKeyHandler.CacheKey(key.KeyHash));
        await Send.NoContentAsync(ct);
    }
}
