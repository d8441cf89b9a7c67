using FastEndpoints;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Features.ApiKeys.Create;

/// <summary><c>POST /api-keys</c>: a key for a calling service, stored hashed.</summary>
public sealed class Endpoint(TokenDbContext db, AuditTrail audit, TimeProvider time) : Endpoint<Request, Response>
{
    private const string KeyPrefix = "tp_";

    public override void Configure()
    {
        Post("/api-keys");
        Group<AdminSecretEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var secret = KeyPrefix + RandomValues.New();
        var key = new ApiKey
        {
            Id = Guid.NewGuid(),
            Name = request.Name,
            KeyHash = RandomValues.Hash(secret),
            Prefix = secret[..(KeyPrefix.Length + 6)],
            Scopes = [.. request.Scopes.Distinct()],
            ClientIds = request.ClientIds is null ? null : [.. request.ClientIds.Distinct()],
            CreatedAt = time.GetUtcNow()
        };
        db.ApiKeys.Add(key);
        audit.Record(AuditAction.ApiKeyCreated, key.Id, db.Entry(key));
        await db.SaveChangesAsync(ct);

        await Send.CreatedAtAsync<List.Endpoint>(
            null, new Response(key.Id, key.Name, key.Prefix, key.Scopes, key.ClientIds, key.CreatedAt, secret),
            cancellation: ct);
    }
}
