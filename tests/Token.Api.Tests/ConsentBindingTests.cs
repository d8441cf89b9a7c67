using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace Token.Api.Tests;

/// <summary>
/// A consent is bound to the browser that pressed the login page's button: the page itself spends nothing, and only
/// the browser holding the consent's cookie can complete it.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed partial class ConsentBindingTests(TokenApiFixture fixture)
{
    private const string Refused = "token.consent.refused";
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task Opening_the_login_link_any_number_of_times_spends_nothing_and_its_button_spends_it_once()
    {
        var client = await _api.CreateSandboxClientAsync();
        var loginUrl = await _api.StartConsentAsync(client.Id);
        var ticket = System.Web.HttpUtility.ParseQueryString(new Uri(loginUrl).Query)["ticket"]!;
        using var browser = TokenPlatformApi.Browser();

        // As a mail scanner, a link preview and the owner would.
        for (var i = 0; i < 3; i++)
        {
            (await TokenPlatformApi.LoginButtonAsync(browser, loginUrl)).Dispose();
        }
        Assert.Equal(1, await _api.CountAsync($"oauth_states WHERE client_id = {client.Id} AND NOT login_ticket_used"));

        await TokenPlatformApi.ContinueAsync(browser, loginUrl);
        var again = await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonLoginPost(_api.Link($"/oauth/login/{client.Id}"), ticket)),
            HttpStatusCode.BadRequest);
        Assert.Contains("already used", again["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_login_page_is_a_form_that_posts_the_ticket_and_is_neither_stored_nor_framed()
    {
        var client = await _api.CreateSandboxClientAsync();
        var loginUrl = await _api.StartConsentAsync(client.Id);
        var ticket = System.Web.HttpUtility.ParseQueryString(new Uri(loginUrl).Query)["ticket"]!;
        using var browser = TokenPlatformApi.Browser();

        var page = await browser.GetAsync(loginUrl);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        // The button's answer redirects to the provider, which form-action must allow as well.
        Assert.Contains($"form-action 'self' {SandboxOrigin()}", policy);
        Assert.Contains($"<form method=\"post\" action=\"/oauth/login/{client.Id}\">", html);
        Assert.Equal(new Dictionary<string, string> { ["ticket"] = ticket }, TokenPlatformApi.HiddenFields(html));
        Assert.Contains(client.ClientId, html);
    }

    [Fact]
    public async Task The_button_sets_a_host_only_cookie_for_the_requests_life_and_redirects_to_the_provider()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var browser = TokenPlatformApi.Browser();
        using var button = await TokenPlatformApi.LoginButtonAsync(browser, await _api.StartConsentAsync(client.Id));

        var toProvider = await browser.SendAsync(button);

        Assert.Equal(HttpStatusCode.SeeOther, toProvider.StatusCode);
        Assert.StartsWith(SandboxOrigin() + "/connect/authorize?", toProvider.Headers.Location!.ToString());
        Assert.Equal("no-store", toProvider.Headers.CacheControl?.ToString());
        var cookie = Assert.Single(TokenPlatformApi.SetCookies(toProvider));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1)
            .Select(attribute => attribute.ToLowerInvariant()).ToList();
        Assert.Matches("^__Host-consent-[0-9a-f]{16}=[A-Za-z0-9_-]{43}$", cookie.Split(';')[0]);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, attribute => attribute.StartsWith("domain="));
        var maxAge = int.Parse(Assert.Single(attributes, attribute => attribute.StartsWith("max-age="))[8..]);
        Assert.InRange(maxAge, 500, 600);
    }

    [Fact]
    public async Task A_callback_without_the_consents_cookie_is_refused_and_the_browser_that_has_it_still_completes()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var refusals = new CounterTags(fixture.Services, Refused, "reason");
        var (callbackUrl, cookie) = await ApprovedAsync(client.Id);
        await _api.ClearSandboxRequestsAsync();
        using var otherBrowser = TokenPlatformApi.Browser();

        var problem = await TokenPlatformApi.ReadProblemAsync(
            await otherBrowser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl)), HttpStatusCode.BadRequest);

        Assert.Contains("another browser", problem["detail"]!.GetValue<string>());
        Assert.Empty(await _api.SandboxTokenRequestsAsync());
        Assert.Equal(["no_cookie"], refusals.Values);
        using var browser = TokenPlatformApi.Browser();
        var completed = await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie));
        Assert.Equal("connected", (await TokenPlatformApi.ReadJsonAsync(completed))["status"]!.GetValue<string>());
        AssertDeletes(completed, cookie);
    }

    [Fact]
    public async Task A_callback_with_a_wrong_cookie_is_refused_and_that_cookie_deleted()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var refusals = new CounterTags(fixture.Services, Refused, "reason");
        var (callbackUrl, cookie) = await ApprovedAsync(client.Id);
        var forged = cookie.Split('=', 2)[0] + "=" + Token.Core.Security.RandomValues.New();
        using var browser = TokenPlatformApi.Browser();

        var refused = await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, forged));

        await TokenPlatformApi.ReadProblemAsync(refused, HttpStatusCode.BadRequest);
        AssertDeletes(refused, cookie);
        Assert.Equal(["wrong_cookie"], refusals.Values);
        Assert.Equal(HttpStatusCode.OK,
            (await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie))).StatusCode);
    }

    [Fact]
    public async Task A_provider_error_brought_by_another_browser_does_not_end_the_consent()
    {
        var client = await _api.CreateSandboxClientAsync();
        var (callbackUrl, cookie) = await ApprovedAsync(client.Id);
        var state = System.Web.HttpUtility.ParseQueryString(new Uri(callbackUrl).Query)["state"]!;
        using var browser = TokenPlatformApi.Browser();

        var problem = await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(
                _api.Link($"/auth/callback?error=access_denied&state={Uri.EscapeDataString(state)}"))),
            HttpStatusCode.BadRequest);

        Assert.Contains("another browser", problem["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK,
            (await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie))).StatusCode);
    }

    [Fact]
    public async Task A_consent_with_no_binding_stored_cannot_complete()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var refusals = new CounterTags(fixture.Services, Refused, "reason");
        var (callbackUrl, cookie) = await ApprovedAsync(client.Id);
        // As a row written before bindings existed.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var unbind = new NpgsqlCommand(
                "UPDATE oauth_states SET browser_binding = NULL WHERE client_id = @id", db);
            unbind.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await unbind.ExecuteNonQueryAsync());
        }
        using var browser = TokenPlatformApi.Browser();

        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie)), HttpStatusCode.BadRequest);

        Assert.Equal(["no_binding"], refusals.Values);
        Assert.Equal(0, await _api.CountAsync($"tokens WHERE client_id = {client.Id}"));
    }

    [Fact]
    public async Task The_authorization_url_of_oauth_start_is_the_login_link()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();

        var start = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/oauth/start/{client.Id}"));

        Assert.Equal(start["login_url"]!.GetValue<string>(), start["authorization_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_consents_started_in_one_browser_both_complete()
    {
        var first = await _api.CreateSandboxClientAsync();
        var second = await _api.CreateSandboxClientAsync();
        using var browser = TokenPlatformApi.Browser();
        // The browser's cookie jar: a cookie replaces one of the same name.
        var jar = new Dictionary<string, string>();
        var callbacks = new List<string>();
        foreach (var client in new[] { first, second })
        {
            var (providerUrl, cookie) = await _api.ContinueAsync(browser, client.Id);
            var (name, value) = (cookie.Split('=', 2)[0], cookie.Split('=', 2)[1]);
            jar[name] = value;
            callbacks.Add(await _api.ApproveAtProviderAsync(browser, providerUrl));
        }
        var cookies = string.Join("; ", jar.Select(cookie => $"{cookie.Key}={cookie.Value}"));

        foreach (var callbackUrl in callbacks)
        {
            var answer = await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookies));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    /// <summary>A consent approved at the provider: the callback URL it sends the browser to, and the cookie.</summary>
    private async Task<(string CallbackUrl, string Cookie)> ApprovedAsync(int clientId)
    {
        using var browser = TokenPlatformApi.Browser();
        var (providerUrl, cookie) = await _api.ContinueAsync(browser, clientId);
        return (await _api.ApproveAtProviderAsync(browser, providerUrl), cookie);
    }

    /// <summary>The answer deletes the consent's cookie, with the attributes a <c>__Host-</c> cookie needs.</summary>
    private static void AssertDeletes(HttpResponseMessage answer, string cookie)
    {
        var name = cookie.Split('=', 2)[0];
        var deletion = Assert.Single(TokenPlatformApi.SetCookies(answer), c => c.StartsWith(name + "="));
        Assert.Matches(DeletionPattern(), deletion);
    }

    private string SandboxOrigin()
    {
        using var sandbox = _api.Sandbox();
        return sandbox.BaseAddress!.GetLeftPart(UriPartial.Authority);
    }

    [GeneratedRegex("^__Host-consent-[0-9a-f]{16}=; (?=.*expires=Thu, 01 Jan 1970)(?=.*; secure)(?=.*; path=/)",
        RegexOptions.IgnoreCase)]
    private static partial Regex DeletionPattern();
}
