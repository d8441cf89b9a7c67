using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Token.Core.Providers;
using TokenPlatform.Hosting.Local;

namespace Token.Core.Tests.Providers;

public sealed class OAuthProviderClientTests : IAsyncLifetime
{
    private LocalTokenEndpoint _provider = null!;
    private readonly OAuthProviderClient _client = new(
        new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, TimeProvider.System);

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

    [Theory]
    [InlineData(400, "invalid_grant", true, false)]
    [InlineData(401, "invalid_client", false, true)]
    [InlineData(400, "invalid_client", false, true)]
    [InlineData(400, "unauthorized_client", false, true)]
    [InlineData(400, "invalid_request", false, false)]
    [InlineData(400, "invalid_scope", false, false)]
    [InlineData(403, "access_denied", false, false)]
    [InlineData(429, "slow_down", false, false)]
    [InlineData(500, "invalid_grant", false, false)]
    [InlineData(503, "invalid_client", false, false)]
    public async Task Only_invalid_grant_ends_the_grant_and_only_a_refused_client_pauses_it(
        int status, string code, bool endsGrant, bool rejectsClient)
    {
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(status, code));

        var error = await RefusalAsync();

        Assert.Equal((code, status), (error.Error, error.StatusCode));
        Assert.Equal((endsGrant, rejectsClient), (error.RequiresReauthorization, error.RejectsClient));
    }

    [Theory]
    [InlineData(400, "http_400")]
    [InlineData(403, "http_403")]
    [InlineData(404, "http_404")]
    [InlineData(408, "http_408")]
    [InlineData(502, "server_error")]
    public async Task A_page_that_is_not_JSON_is_a_passing_failure_named_after_its_status(int status, string code)
    {
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Page(status));

        var error = await RefusalAsync();

        Assert.Equal((code, status), (error.Error, error.StatusCode));
        Assert.False(error.RequiresReauthorization || error.RejectsClient);
    }

    [Fact]
    public async Task An_error_code_that_is_no_RFC_6749_code_is_not_passed_on()
    {
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(400, new string('x', 65)));
        Assert.Equal("http_400", (await RefusalAsync()).Error);

        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(401, "invalid_client\nforged: line"));
        var forged = await RefusalAsync();
        Assert.Equal("http_401", forged.Error);
        Assert.False(forged.RejectsClient);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("864000", 3600)]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT", 3600)]
    [InlineData("Mon, 01 Jan 2001 00:00:00 GMT", 0)]
    [InlineData("99999999999", null)]
    [InlineData("-5", null)]
    [InlineData("soon", null)]
    public async Task Retry_After_is_honoured_up_to_an_hour_a_past_date_means_now_and_nonsense_is_ignored(
        string header, int? seconds)
    {
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Error(429, "slow_down", header));

        var error = await RefusalAsync();

        Assert.Equal(seconds is { } wait ? TimeSpan.FromSeconds(wait) : null, error.RetryAfter);
    }

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("1800.5", 1800.5)]
    [InlineData("\"1800\"", 1800)]
    [InlineData("0", 5)]
    [InlineData("-5", 5)]
    [InlineData("1e18", 365 * 86400)]
    [InlineData("1000000000000000000", 365 * 86400)]
    [InlineData("1e400", 365 * 86400)]
    [InlineData("\"abc\"", 3600)]
    [InlineData("null", 3600)]
    [InlineData("{}", 3600)]
    public async Task Expires_in_never_throws_and_is_clamped_to_5_seconds_to_a_year_or_else_an_hour(
        string expiresIn, double seconds)
    {
        _provider.Answer = _ => Task.FromResult(
            Results.Text($$"""{"access_token":"a","expires_in":{{expiresIn}}}""", "application/json"));

        var result = await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.Tokens?.ExpiresIn);
    }

    [Fact]
    public async Task An_answer_in_a_charset_nobody_knows_is_read_as_UTF_8()
    {
        _provider.Answer = _ => Task.FromResult(Results.Bytes(
            Encoding.UTF8.GetBytes("""{"access_token":"a"}"""), "application/json; charset=no-such-charset"));

        var result = await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None);

        Assert.Equal("a", result.Tokens?.AccessToken);
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

    private async Task<ProviderError> RefusalAsync() =>
        (await _client.RefreshAsync(Provider(), "client", "secret", "refresh", CancellationToken.None)).Error!;

    private ProviderDefinition Provider(Uri? baseAddress = null)
    {
        var root = baseAddress ?? _provider.BaseAddress;
        return new ProviderDefinition("local", new Uri(root, "/authorize").ToString(),
            new Uri(root, "/token").ToString(), new Uri(root, "/revoke").ToString(), [],
            new Dictionary<string, string>(), ProviderDefinition.ClientSecretPost, BuiltIn: false);
    }
}
