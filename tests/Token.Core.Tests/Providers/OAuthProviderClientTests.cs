using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Token.Core.Providers;
using TokenPlatform.Hosting.Local;

namespace Token.Core.Tests.Providers;

public sealed class OAuthProviderClientTests : IAsyncLifetime
{
    private LocalTokenEndpoint _provider = null!;
    private readonly OAuthProviderClient _client = new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) });

    public async Task InitializeAsync() => _provider = await LocalTokenEndpoint.StartAsync();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task An_answer_without_expires_in_or_token_type_gets_an_hour_and_Bearer()
    {
        _provider.Answer = _ => Task.FromResult(Results.Json(new { access_token = "a" }));

        var result = await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None);

        Assert.Equal(OAuthProviderClient.DefaultLifetime, result.Tokens?.ExpiresIn);
        Assert.Equal("Bearer", result.Tokens?.TokenType);
        Assert.Null(result.Tokens?.RefreshToken);
    }

    [Fact]
    public async Task A_refusal_names_its_error_and_only_a_4xx_other_than_429_ends_the_grant()
    {
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(400, "invalid_grant"));
        var refused =
            (await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None)).Error!;
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(429, "slow_down", TimeSpan.FromSeconds(30)));
        var limited =
            (await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None)).Error!;

        Assert.Equal(("invalid_grant", 400, true),
            (refused.Error, refused.StatusCode, refused.RequiresReauthorization));
        Assert.Equal(("slow_down", 429, false), (limited.Error, limited.StatusCode, limited.RequiresReauthorization));
        Assert.Equal(TimeSpan.FromSeconds(30), limited.RetryAfter);
    }

    [Fact]
    public async Task An_error_page_that_is_not_JSON_is_a_passing_server_error()
    {
        _provider.Answer = _ =>
            Task.FromResult(Results.Content("<html>Bad gateway</html>", "text/html", Encoding.UTF8, 502));

        var error =
            (await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None)).Error!;

        Assert.Equal(("server_error", 502, false), (error.Error, error.StatusCode, error.RequiresReauthorization));
    }

    [Fact]
    public async Task A_provider_nobody_answers_for_is_temporarily_unavailable_and_revocation_is_unconfirmed()
    {
        var closed = Provider(new Uri($"http://127.0.0.1:{MachineProbe.FreeTcpPort()}"));

        var error = (await _client.RefreshAsync(closed, "client", "secret", "refresh", CancellationToken.None)).Error!;

        Assert.Equal(("temporarily_unavailable", null), (error.Error, error.StatusCode));
        Assert.False(await _client.RevokeAsync(closed, "client", "secret", "token", CancellationToken.None));
    }

    [Fact]
    public async Task Basic_authentication_form_encodes_both_parts_and_keeps_them_out_of_the_body()
    {
        var provider = Provider() with { TokenEndpointAuthMethod = ProviderDefinition.ClientSecretBasic };

        await _client.ExchangeCodeAsync(provider, "id:with space", "p@ss:word", "code", "https://app.test/cb",
            "verifier", CancellationToken.None);

        var request = _provider.Requests.Single();
        var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(request.Authorization!["Basic ".Length..]));
        Assert.Equal("id%3Awith%20space:p%40ss%3Aword", credentials);
        Assert.Null(request["client_secret"]);
        Assert.Equal(("authorization_code", "code", "verifier"),
            (request["grant_type"], request["code"], request["code_verifier"]));
    }

    [Fact]
    public void The_authorization_url_carries_the_PKCE_challenge_the_state_the_scopes_and_the_providers_parameters()
    {
        var provider = Provider() with
        {
            Scopes = ["a", "b"],
            AuthorizationParameters = new Dictionary<string, string> { ["access_type"] = "offline" }
        };

        var url = new Uri(
            OAuthProviderClient.AuthorizationUrl(provider, "client", "https://app.test/cb", "st", "challenge"));

        var query = QueryHelpers.ParseQuery(url.Query);
        Assert.Equal("/authorize", url.AbsolutePath);
        Assert.Equal(("code", "client", "https://app.test/cb", "a b"),
            (query["response_type"].ToString(), query["client_id"].ToString(), query["redirect_uri"].ToString(),
                query["scope"].ToString()));
        Assert.Equal(("st", "challenge", "S256", "offline"),
            (query["state"].ToString(), query["code_challenge"].ToString(), query["code_challenge_method"].ToString(),
                query["access_type"].ToString()));
    }

    private ProviderDefinition Provider(Uri? baseAddress = null)
    {
        var root = baseAddress ?? _provider.BaseAddress;
        return new ProviderDefinition("local", new Uri(root, "/authorize").ToString(),
            new Uri(root, "/token").ToString(), new Uri(root, "/revoke").ToString(), [],
            new Dictionary<string, string>(), ProviderDefinition.ClientSecretPost, BuiltIn: false);
    }
}
