using FastEndpoints;
using Token.Api.EndpointRules;

namespace Token.Api.Features.Tokens.Refresh;

/// <summary>
/// <c>POST /tokens/refresh</c>: refreshes the client's token now and answers like <c>validate</c>. Requests for one
/// client that arrive together share one refresh (on every instance), and a caller that names the version it saw fail
/// gets a newer token without a provider call when there is one.
/// </summary>
public sealed class Endpoint(TokenReader reader) : Endpoint<Request, TokenResponse>
{
    public override void Configure()
    {
        Post("/tokens/refresh");
        Group<TokenReaderEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var read = await reader.RefreshAsync(request.ClientId, request.AfterVersion, ct);
        if (read is null)
        {
            ThrowError($"Client {request.ClientId} does not exist.", StatusCodes.Status404NotFound);
        }
        if (read.Reason == TokenReader.ClientInactive)
        {
            ThrowError(
                $"Client {request.ClientId} is deactivated: its token is not refreshed until it is active again " +
                "(PATCH /clients/{id} with \"is_active\": true).", StatusCodes.Status409Conflict);
        }

        await Send.OkAsync(TokenResponse.From(request.ClientId, read), ct);
    }
}
