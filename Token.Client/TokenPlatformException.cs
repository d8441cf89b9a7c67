using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Token.Client;

/// <summary>The platform answered with an error: its status code and problem details (RFC 9457).</summary>
public sealed class TokenPlatformException(HttpStatusCode statusCode, string? title, string? detail)
    : Exception($"TokenPlatform answered {(int)statusCode} {title}: {detail}")
{
    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title { get; } = title;

    /// <summary>The problem's <c>detail</c>: what went wrong, in a sentence.</summary>
    public string? Detail { get; } = detail;

    internal static async Task<TokenPlatformException> FromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        Problem? problem;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<Problem>(TokenPlatformClient.Json, ct);
        }
        catch (JsonException)
        {
            problem = null;
        }
        return new TokenPlatformException(response.StatusCode, problem?.Title ?? response.ReasonPhrase, problem?.Detail);
    }

    private sealed record Problem(string? Title, string? Detail);
}

/// <summary>The platform has no usable token for the client now; <see cref="Reason"/> says why.</summary>
public sealed class TokenUnavailableException(int clientId, string? reason)
    : Exception($"TokenPlatform has no usable token for client {clientId}: {reason}")
{
    /// <summary>The client's numeric id.</summary>
    public int ClientId { get; } = clientId;

    /// <summary>The <c>reason</c> of the answer, e.g. <c>no_grant</c> or <c>reauthorization_required</c>.</summary>
    public string? Reason { get; } = reason;
}
