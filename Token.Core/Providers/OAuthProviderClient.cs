using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;

namespace Token.Core.Providers;

/// <summary>The client side of RFC 6749 (authorization code, refresh) and RFC 7009 (revocation).</summary>
public sealed class OAuthProviderClient(HttpClient http, TimeProvider time)
{
    /// <summary>
    /// Providers that omit <c>expires_in</c>, or send one that is not a number, get this lifetime (Google always sends
    /// it).
    /// </summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest lifetime taken from <c>expires_in</c>: 0 or a negative one would make a token due the moment it is
    /// stored (a refresh loop); 5 s keeps that to one refresh per 2.5 s a grant, and is below any lifetime a provider
    /// issues or a test asks of the sandbox (8 s).
    /// </summary>
    public static readonly TimeSpan MinLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest lifetime taken from <c>expires_in</c>, so that no value overflows a date; a year is beyond any
    /// access token's, and a grant is refreshed after <see cref="Tokens.RefreshOptions.KeepAlive"/> anyway.
    /// </summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>
    /// The longest <c>Retry-After</c> honoured: a provider may slow us down, not park a grant's refresh for days.
    /// </summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    public static string AuthorizationUrl(
        ProviderDefinition provider, string clientId, string redirectUri, string state, string codeChallenge)
    {
        var parameters = new Dictionary<string, string?>(
            provider.AuthorizationParameters.ToDictionary(p => p.Key, p => (string?)p.Value))
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = string.Join(' ', provider.Scopes),
            ["state"] = state,
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256"
        };
        return QueryHelpers.AddQueryString(provider.AuthorizationEndpoint, parameters);
    }

    public Task<TokenEndpointResult> ExchangeCodeAsync(
        ProviderDefinition provider, string clientId, string clientSecret, string code, string redirectUri,
        string codeVerifier, CancellationToken ct) =>
        RequestTokensAsync(provider, clientId, clientSecret, new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier
        }, ct);

    public Task<TokenEndpointResult> RefreshAsync(
        ProviderDefinition provider, string clientId, string clientSecret, string refreshToken, CancellationToken ct) =>
        RequestTokensAsync(provider, clientId, clientSecret, new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken
        }, ct);

    /// <summary>Revokes a token (RFC 7009); true when the provider confirmed it.</summary>
    public async Task<bool> RevokeAsync(
        ProviderDefinition provider, string clientId, string clientSecret, string token, CancellationToken ct)
    {
        if (provider.RevocationEndpoint is null)
        {
            return false;
        }
        try
        {
            using var request = Authenticated(
                provider, clientId, clientSecret, provider.RevocationEndpoint, new() { ["token"] = token });
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (
            exception is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<TokenEndpointResult> RequestTokensAsync(
        ProviderDefinition provider, string clientId, string clientSecret, Dictionary<string, string> form,
        CancellationToken ct)
    {
        try
        {
            using var request = Authenticated(provider, clientId, clientSecret, provider.TokenEndpoint, form);
            var requestedAt = time.GetUtcNow();
            using var response = await http.SendAsync(request, ct);
            // Bytes, not a string: JSON is UTF-8 (RFC 8259), and a charset the runtime does not know would throw.
            var answer = TryParse(await response.Content.ReadAsByteArrayAsync(ct));
            var status = (int)response.StatusCode;

            if (response.IsSuccessStatusCode && answer?.AccessToken is { Length: > 0 } accessToken)
            {
                return new TokenEndpointResult(
                    new ProviderTokens(
                        accessToken, answer.TokenType ?? "Bearer", Lifetime(answer.ExpiresIn), answer.RefreshToken,
                        answer.Scope, requestedAt),
                    null);
            }
            return new TokenEndpointResult(
                null, new ProviderError(ErrorCode(answer?.Error, status), answer?.ErrorDescription, status,
                    RetryAfter(response)));
        }
        catch (Exception exception) when (
            exception is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new TokenEndpointResult(
                null, new ProviderError("temporarily_unavailable", "The provider could not be reached.", null));
        }
    }

    /// <summary>
    /// RFC 9110 §10.2.3, within 0 … <see cref="MaxRetryAfter"/>; a date in the past means now. A value that does not
    /// parse (a negative or huge delta among them) is no Retry-After at all.
    /// </summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    /// <summary>
    /// The answer's error code as RFC 6749 §5.2 defines one (short, printable ASCII), since it is stored, logged and
    /// published; otherwise, e.g. for an HTML page from a proxy or a WAF, one made of the status.
    /// </summary>
    private static string ErrorCode(string? error, int status) =>
        error is { Length: > 0 and <= 64 } && error.All(c => c is >= ' ' and <= '~' and not '"' and not '\\')
            ? error
            : status >= 500 ? "server_error" : $"http_{status}";

    /// <summary>
    /// <c>expires_in</c> as a number or a numeric string (some providers quote it), clamped to
    /// <see cref="MinLifetime"/> … <see cref="MaxLifetime"/>; absent or not a number, <see cref="DefaultLifetime"/>.
    /// </summary>
    private static TimeSpan Lifetime(JsonElement? expiresIn)
    {
        var text = expiresIn switch
        {
            { ValueKind: JsonValueKind.Number } number => number.GetRawText(),
            { ValueKind: JsonValueKind.String } quoted => quoted.GetString(),
            _ => null
        };
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds))
        {
            return DefaultLifetime;
        }
        // Compared as seconds before a TimeSpan is made: TimeSpan.FromSeconds(1e18) throws.
        return seconds <= MinLifetime.TotalSeconds ? MinLifetime
            : seconds >= MaxLifetime.TotalSeconds ? MaxLifetime
            : TimeSpan.FromSeconds(seconds);
    }

    private static HttpRequestMessage Authenticated(
        ProviderDefinition provider, string clientId, string clientSecret, string endpoint,
        Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (provider.TokenEndpointAuthMethod == ProviderDefinition.ClientSecretBasic)
        {
            // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
            var credentials = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = clientId;
            form["client_secret"] = clientSecret;
        }
        request.Content = new FormUrlEncodedContent(form);
        return request;
    }

    private static TokenEndpointAnswer? TryParse(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenEndpointAnswer>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record TokenEndpointAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("token_type")] string? TokenType,
        // Read as it comes: a string or a number out of a long's range must not make the whole answer unreadable.
        [property: JsonPropertyName("expires_in")] JsonElement? ExpiresIn,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("scope")] string? Scope,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
