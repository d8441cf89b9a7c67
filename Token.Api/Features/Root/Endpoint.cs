using FastEndpoints;

namespace Token.Api.Features.Root;

/// <summary><c>GET /</c>: what this service is and where its documentation and health live.</summary>
public sealed class Endpoint : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/");
        AllowAnonymous();
    }

    public override Task HandleAsync(CancellationToken ct) => Send.OkAsync(Response.Current, ct);
}
