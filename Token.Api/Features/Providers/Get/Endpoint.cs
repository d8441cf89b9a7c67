using FastEndpoints;
using Token.Api.EndpointRules;
using Token.Core.Providers;

namespace Token.Api.Features.Providers.Get;

/// <summary><c>GET /providers/{name}</c>.</summary>
public sealed class Endpoint(ProviderCatalog catalog) : Endpoint<Request, ProviderResponse>
{
    public override void Configure()
    {
        Get("/providers/{name}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var provider = await catalog.FindAsync(request.Name, ct);
        if (provider is null)
        {
            ThrowError($"Provider '{request.Name}' does not exist.", StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(ProviderResponse.From(provider), ct);
    }
}
