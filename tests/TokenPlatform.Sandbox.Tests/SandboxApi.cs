using System.Buffers.Text;
using System.Collections.Specialized;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;

namespace TokenPlatform.Sandbox.Tests;

public sealed record TestClient(string Id, string Secret, string RedirectUri);

/// <summary>An RFC 7636 verifier and its S256 challenge.</summary>
public sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce Create()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

/// <summary>
/// A token answer. <c>expires_in</c> is optional (RFC 6749 §5.1): OpenIddict leaves it out when the token expired
/// before the answer was written, as a 1 s token on a busy machine can.
/// </summary>
public sealed record TokenSet(string AccessToken, string? RefreshToken, int? ExpiresIn, string TokenType);

/// <summary>The HTTP calls a client of Google (and the tests' control of the sandbox) makes, one per method.</summary>
public static class SandboxApi
{
    public const string BusinessScope = "https://www.googleapis.com/auth/business.manage";

    /// <summary>Every switch at its default except <c>auto_approve</c>, and an empty request log.</summary>
    public static async Task ResetAsync(this SandboxProcess sandbox, bool autoApprove = true)
    {
        await sandbox.SetSwitchesAsync(new
        {
            auto_approve = autoApprove,
            access_token_lifetime_seconds = 3600,
            rotate_refresh_tokens = true,
            refresh_token_reuse_seconds = 0,
            token_failure = new { mode = "none" }
        });
        using var cleared = await sandbox.Http.DeleteAsync("/sandbox/requests");
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
    }

    public static async Task<JsonElement> SetSwitchesAsync(this SandboxProcess sandbox, object switches)
    {
        using var response = await sandbox.Http.PutAsJsonAsync("/sandbox/switches", switches);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<TestClient> RegisterClientAsync(this SandboxProcess sandbox)
    {
        var client = new TestClient($"client-{Guid.NewGuid():N}", $"secret-{Guid.NewGuid():N}",
            "http://localhost:7000/oauth/callback");
        using var response = await sandbox.Http.PostAsJsonAsync("/sandbox/clients",
            new { client_id = client.Id, client_secret = client.Secret, redirect_uris = new[] { client.RedirectUri } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return client;
    }

    public static string AuthorizationPath(TestClient client, Pkce? pkce, string state = "state-123",
        string scope = BusinessScope, string challengeMethod = "S256")
    {
        var query = HttpUtility.ParseQueryString("");
        query["client_id"] = client.Id;
        query["redirect_uri"] = client.RedirectUri;
        query["response_type"] = "code";
        query["scope"] = scope;
        query["state"] = state;
        query["access_type"] = "offline";
        if (pkce is not null)
        {
            query["code_challenge"] = pkce.Challenge;
            query["code_challenge_method"] = challengeMethod;
        }

        return $"/connect/authorize?{query}";
    }

    /// <summary>With <c>auto_approve</c> on: the redirect back to the client, parsed.</summary>
    public static async Task<NameValueCollection> AuthorizeAsync(this SandboxProcess sandbox, TestClient client,
        Pkce pkce, string state = "state-123")
    {
        using var response = await sandbox.Http.GetAsync(AuthorizationPath(client, pkce, state));
        return RedirectQuery(response, client);
    }

    public static async Task<string> GetCodeAsync(this SandboxProcess sandbox, TestClient client, Pkce pkce)
    {
        var redirect = await sandbox.AuthorizeAsync(client, pkce);
        return redirect["code"] ?? throw new InvalidOperationException($"No code in the redirect: {redirect}");
    }

    /// <summary>The query of a redirect to the client's redirect URI.</summary>
    public static NameValueCollection RedirectQuery(HttpResponseMessage response, TestClient client)
    {
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(client.RedirectUri + "?", location.ToString());
        return HttpUtility.ParseQueryString(location.Query);
    }

    /// <summary>Code exchange authenticated with client_secret_post.</summary>
    public static Task<HttpResponseMessage> ExchangeCodeAsync(this SandboxProcess sandbox, TestClient client,
        string code, string verifier) =>
        sandbox.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = client.RedirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = client.Id,
            ["client_secret"] = client.Secret
        }));

    /// <summary>Refresh authenticated with client_secret_basic.</summary>
    public static Task<HttpResponseMessage> RefreshAsync(this SandboxProcess sandbox, TestClient client,
        string refreshToken) =>
        sandbox.Http.SendAsync(WithBasicAuthentication(client, "/connect/token",
            new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }));

    public static Task<HttpResponseMessage> RevokeAsync(this SandboxProcess sandbox, TestClient client, string token) =>
        sandbox.Http.SendAsync(WithBasicAuthentication(client, "/connect/revoke", new() { ["token"] = token }));

    public static Task<HttpResponseMessage> IntrospectAsync(this SandboxProcess sandbox, TestClient client,
        string token) =>
        sandbox.Http.SendAsync(WithBasicAuthentication(client, "/connect/introspect", new() { ["token"] = token }));

    public static Task<HttpResponseMessage> TokenInfoAsync(this SandboxProcess sandbox, string accessToken) =>
        sandbox.Http.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(accessToken)}");

    /// <summary>The reviews resource (Google Business Profile's shape), with this bearer token or none.</summary>
    public static Task<HttpResponseMessage> ReviewsAsync(this SandboxProcess sandbox, string? accessToken,
        string location = "accounts/111/locations/222", string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v4/{location}/reviews{query}");
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return sandbox.Http.SendAsync(request);
    }

    /// <summary>
    /// Authorize (auto-approved) and exchange the code: a fresh token set for <paramref name="client"/>.
    /// </summary>
    public static async Task<TokenSet> GetTokensAsync(this SandboxProcess sandbox, TestClient client)
    {
        var pkce = Pkce.Create();
        var code = await sandbox.GetCodeAsync(client, pkce);
        using var response = await sandbox.ExchangeCodeAsync(client, code, pkce.Verifier);
        return await ReadTokensAsync(response);
    }

    public static async Task<TokenSet> ReadTokensAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"Token endpoint answered {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        return new TokenSet(
            json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
            json.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.GetInt32() : null,
            json.GetProperty("token_type").GetString()!);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> ReadJsonAsync(HttpResponseMessage response) =>
        (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());

    public static async Task<JsonElement[]> RecordedRequestsAsync(this SandboxProcess sandbox) =>
        [.. (await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/requests")).EnumerateArray()];

    private static HttpRequestMessage WithBasicAuthentication(TestClient client, string path,
        Dictionary<string, string> form)
    {
        // RFC 6749 §2.3.1: form-encode the id and secret before Base64.
        var credentials = $"{Uri.EscapeDataString(client.Id)}:{Uri.EscapeDataString(client.Secret)}";
        return new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(form),
            Headers =
            {
                Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)))
            }
        };
    }
}
