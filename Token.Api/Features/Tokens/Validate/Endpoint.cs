using FastEndpoints;
using Token.Api.EndpointRules;

namespace Token.Api.Features.Tokens.Validate;

/// <summary>
/// <c>GET /tokens/validate/{client_id}</c>: a token that works now, refreshed first when it is about to expire.
/// </summary>
public sealed class Endpoint(TokenCache cache, TokenReadMetrics metrics) : Endpoint<Request, TokenResponse>
{
    public override void Configure()
    {
        Get("/tokens/validate/{client_id}");
        Group<TokenReaderEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        // The hot path: a cached token needs neither the database nor the services a refresh would.
        var hit = cache.TryGet(request.ClientId, out var cached);
        metrics.Read(hit);
        var read = hit ? new TokenRead(cached, null) : await Resolve<TokenReader>().ReadAsync(request.ClientId, ct);
        if (read is null)
        {
            ThrowError($"Client {request.ClientId} does not exist.", StatusCodes.Status404NotFound);
        }

        await Send.OkAsync(TokenResponse.From(request.ClientId, read), ct);
    }
}
