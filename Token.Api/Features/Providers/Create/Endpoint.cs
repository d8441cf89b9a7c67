using FastEndpoints;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Token.Api.Auth;
using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Create;

public sealed record Request(
    string Name, string? AuthorizationEndpoint, string? TokenEndpoint, string? RevocationEndpoint, IReadOnlyList<string>? Scopes,
    Dictionary<string, string>? AuthorizationParameters, string? TokenEndpointAuthMethod) : IProviderFields
{
    internal sealed class Validator : ProviderFieldsValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().Matches("^[a-z0-9][a-z0-9-]{0,49}$").WithMessage("must be 1-50 lowercase letters, digits or dashes");
            RuleFor(r => r.AuthorizationEndpoint).NotEmpty();
            RuleFor(r => r.TokenEndpoint).NotEmpty();
        }
    }
}

/// <summary><c>POST /providers</c>: registers another OAuth 2.0 provider.</summary>
public sealed class Endpoint(TokenDbContext db, ProviderCatalog catalog, TimeProvider time) : Endpoint<Request, ProviderResponse>
{
    public override void Configure()
    {
        Post("/providers");
        Policies(ApiKeyAuthenticationExtensions.AdminPolicy);
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
        await db.SaveChangesAsync(ct);
        await Send.CreatedAtAsync<Get.Endpoint>(new { name = provider.Name }, ProviderResponse.From(ProviderCatalog.ToDefinition(provider)), cancellation: ct);
    }
}
