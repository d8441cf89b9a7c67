using FastEndpoints;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Create;

/// <summary><c>POST /providers</c>: registers another OAuth 2.0 provider.</summary>
public sealed class Endpoint(
    TokenDbContext db, ProviderCatalog catalog, AuditTrail audit, TimeProvider time)
    : Endpoint<Request, ProviderResponse>
{
    public override void Configure()
    {
        Post("/providers");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (await catalog.FindAsync(request.Name, ct) is not null)
        {
            ThrowError($"A provider named '{request.Name}' already exists.", StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNow();
        var provider = new Provider
        {
            Name = request.Name,
            AuthorizationEndpoint = request.AuthorizationEndpoint!,
            TokenEndpoint = request.TokenEndpoint!,
            RevocationEndpoint = request.RevocationEndpoint,
            Scopes = [.. request.Scopes ?? []],
            AuthorizationParameters = request.AuthorizationParameters ?? [],
            TokenEndpointAuthMethod = request.TokenEndpointAuthMethod ?? ProviderDefinition.ClientSecretPost,
            CreatedAt = now,
            UpdatedAt = now
        };
        db.Providers.Add(provider);
        audit.Record(AuditAction.ProviderCreated, provider.Name, db.Entry(provider));
        await db.SaveChangesAsync(ct);
        await Send.CreatedAtAsync<Get.Endpoint>(
            new { name = provider.Name }, ProviderResponse.From(ProviderCatalog.ToDefinition(provider)),
            cancellation: ct);
    }
}
