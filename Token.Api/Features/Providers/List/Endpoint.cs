using FastEndpoints;
using Token.Api.Auth;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.List;

/// <summary><c>GET /providers</c>: the built-in providers first, then the registered ones.</summary>
public sealed class Endpoint(ProviderCatalog catalog) : EndpointWithoutRequest<IReadOnlyList<ProviderResponse>>
{
    public override void Configure()
    {
        Get("/providers");
        Policies(ApiKeyAuthenticationExtensions.AdminPolicy);
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync([.. (await catalog.ListAsync(ct)).Select(ProviderResponse.From)], ct);
}
