using System.Net;
using System.Text.RegularExpressions;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed partial class ConsentPageTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync(autoApprove: false);

    public Task DisposeAsync() => sandbox.ResetAsync();

    [Fact]
    public async Task The_page_names_the_client_and_scopes_and_offers_allow_and_deny()
    {
        var client = await sandbox.RegisterClientAsync();

        var page = await GetPageAsync(client, Pkce.Create());

        Assert.Contains(client.Id, page);
        Assert.Contains(SandboxApi.BusinessScope, page);
        Assert.Contains(">Allow</button>", page);
        Assert.Contains(">Deny</button>", page);
        Assert.Contains("method=\"post\"", page);
        Assert.Contains("__RequestVerificationToken", page);
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_the_state()
    {
        var client = await sandbox.RegisterClientAsync();
        var page = await GetPageAsync(client, Pkce.Create());

        using var response = await sandbox.Http.PostAsync("/connect/authorize", Decision(page, "deny"));

        var redirect = SandboxApi.RedirectQuery(response, client);
        Assert.Equal("access_denied", redirect["error"]);
        Assert.Equal("state-123", redirect["state"]);
        Assert.Null(redirect["code"]);
    }

    [Fact]
    public async Task Allow_redirects_with_a_code_that_can_be_exchanged()
    {
        var client = await sandbox.RegisterClientAsync();
        var pkce = Pkce.Create();
        var page = await GetPageAsync(client, pkce);

        using var response = await sandbox.Http.PostAsync("/connect/authorize", Decision(page, "allow"));

        var redirect = SandboxApi.RedirectQuery(response, client);
        Assert.Equal("state-123", redirect["state"]);
        using var exchange = await sandbox.ExchangeCodeAsync(client, redirect["code"]!, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
    }

    [Fact]
    public async Task A_decision_without_the_antiforgery_token_is_refused()
    {
        var client = await sandbox.RegisterClientAsync();
        var page = await GetPageAsync(client, Pkce.Create());
        var fields = HiddenFields(page).Where(field => field.Key != "__RequestVerificationToken")
            .Append(new("decision", "allow"));

        using var response = await sandbox.Http.PostAsync("/connect/authorize", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Nothing_reaches_the_token_endpoint_while_the_user_has_not_decided()
    {
        var client = await sandbox.RegisterClientAsync();

        await GetPageAsync(client, Pkce.Create());

        Assert.Empty(await sandbox.RecordedRequestsAsync());
    }

    private async Task<string> GetPageAsync(TestClient client, Pkce pkce)
    {
        using var response = await sandbox.Http.GetAsync(SandboxApi.AuthorizationPath(client, pkce));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static FormUrlEncodedContent Decision(string page, string decision) =>
        new(HiddenFields(page).Append(new("decision", decision)));

    private static IEnumerable<KeyValuePair<string, string>> HiddenFields(string page) =>
        HiddenInput().Matches(page).Select(match => new KeyValuePair<string, string>(
            WebUtility.HtmlDecode(match.Groups["name"].Value), WebUtility.HtmlDecode(match.Groups["value"].Value)));

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenInput();
}
