using FastEndpoints;
using FluentValidation;
using Token.Api.Auth;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Features.ApiKeys.Create;

public sealed record Request(string Name, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds)
{
    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Scopes).NotEmpty().Must(scopes => scopes.All(ApiScopes.All.Contains))
                .WithMessage($"must be one or more of: {string.Join(", ", ApiScopes.All)}");
            RuleFor(r => r.ClientIds).Must(ids => ids!.Count is > 0 and <= 1000 && ids.All(id => id > 0))
                .When(r => r.ClientIds is not null).WithMessage("must list 1 to 1000 client ids");
        }
    }
}

/// <summary>The only answer that carries the key itself: store it now.</summary>
public sealed record Response(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, IReadOnlyList<int>? ClientIds, DateTimeOffset CreatedAt, string ApiKey);

/// <summary><c>POST /api-keys</c>: a key for a calling service, stored hashed.</summary>
public sealed class Endpoint(TokenDbContext db, TimeProvider time) : Endpoint<Request, Response>
{
    private const string KeyPrefix = "tp_";

    public override void Configure()
    {
        Post("/api-keys");
        Policies(ApiKeyAuthenticationExtensions.AdminPolicy);
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
        await db.SaveChangesAsync(ct);

        HttpContext.Response.Headers.CacheControl = "no-store";
        await Send.CreatedAtAsync<List.Endpoint>(null, new Response(key.Id, key.Name, key.Prefix, key.Scopes, key.ClientIds, key.CreatedAt, secret), cancellation: ct);
    }
}
