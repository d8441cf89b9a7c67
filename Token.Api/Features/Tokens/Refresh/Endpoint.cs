using FastEndpoints;
using Token.Api.Auth;

namespace Token.Api.Features.Tokens.Refresh;

/// <summary><c>POST /tokens/refresh</c>: refreshes the client's token now and answers like <c>validate</c>.</summary>
public sealed class Endpoint(TokenReader reader) : Endpoint<Request, TokenResponse>
{
    public override void Configure()
    {
        Post("/tokens/refresh");
        Policies(ApiKeyAuthenticationExtensions.TokensReadPolicy);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (!User.MayAccessClient(request.ClientId))
        {
            ThrowError($"This API key may not refresh tokens of client {request.ClientId}.", StatusCodes.Status403Forbidden);
        }
        var read = await reader.RefreshAsync(request.ClientId, ct);
        if (read is null)
        {
            ThrowError($"Client {request.ClientId} does not exist.", StatusCodes.Status404NotFound);
        }

        HttpContext.Response.Headers.CacheControl = "no-store";
        await Send.OkAsync(TokenResponse.From(request.ClientId, read), ct);
    }
}
