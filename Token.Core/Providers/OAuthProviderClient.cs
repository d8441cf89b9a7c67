using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;

namespace Token.Core.Providers;

/// <summary>The client side of RFC 6749 (authorization code, refresh) and RFC 7009 (revocation).</summary>
public sealed class OAuthProviderClient(HttpClient http)
{
    /// <summary>Providers that omit <c>expires_in</c> get this lifetime (Google always sends it).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

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
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var answer = TryParse(body);

            if (response.IsSuccessStatusCode && answer?.AccessToken is { Length: > 0 } accessToken)
            {
                var lifetime = answer.ExpiresIn is > 0 ? TimeSpan.FromSeconds(answer.ExpiresIn.Value) : DefaultLifetime;
                return new TokenEndpointResult(
                    new ProviderTokens(
                        accessToken, answer.TokenType ?? "Bearer", lifetime, answer.RefreshToken, answer.Scope),
                    null);
            }
            return new TokenEndpointResult(
                null,
                new ProviderError(
                    answer?.Error ?? "server_error", answer?.ErrorDescription, (int)response.StatusCode,
                    RetryAfter(response)));
        }
        catch (Exception exception) when (
            exception is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new TokenEndpointResult(
                null, new ProviderError("temporarily_unavailable", "The provider could not be reached.", null));
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null
    };

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

    private static TokenEndpointAnswer? TryParse(string body)
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
        [property: JsonPropertyName("expires_in")] long? ExpiresIn,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("scope")] string? Scope,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
