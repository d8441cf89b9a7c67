using FastEndpoints;
using Token.Api.EndpointRules;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.List;

/// <summary><c>GET /providers</c>: the built-in providers first, then the registered ones.</summary>
public sealed class Endpoint(ProviderCatalog catalog) : EndpointWithoutRequest<IReadOnlyList<ProviderResponse>>
{
    public override void Configure()
    {
        Get("/providers");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync([.. (await catalog.ListAsync(ct)).Select(ProviderResponse.From)], ct);
}
