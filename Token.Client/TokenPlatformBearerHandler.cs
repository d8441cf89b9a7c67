using System.Net;
using System.Net.Http.Headers;

namespace Token.Client;

/// <summary>
/// Puts the token of the request's client on it (<c>Authorization: Bearer</c>). When the API answers 401, the
/// token is refreshed at the platform, naming the version that was refused, and the request is sent once more with
/// the new one. The request's content is buffered so that it can be sent twice. When the platform has no usable
/// token for the client, the request is not sent: <see cref="TokenUnavailableException"/>.
/// </summary>
/// <param name="platform">Where the tokens come from.</param>
/// <param name="clientIdOf">The numeric id of the client a request is made for.</param>
public sealed class TokenPlatformBearerHandler(ITokenPlatformClient platform, Func<HttpRequestMessage, int> clientIdOf)
    : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var clientId = clientIdOf(request);
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(ct);
        }

        var token = await platform.GetTokenAsync(clientId, ct);
        var response = await SendWithAsync(request, token, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        var refreshed = await platform.RefreshAsync(clientId, token.TokenVersion, ct);
        return await SendWithAsync(request, refreshed, ct);
    }

    private Task<HttpResponseMessage> SendWithAsync(HttpRequestMessage request, PlatformToken token,
        CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Usable());
        return base.SendAsync(request, ct);
    }
}
