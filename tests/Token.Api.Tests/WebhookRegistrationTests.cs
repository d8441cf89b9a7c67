using System.Net;
using System.Net.Http.Json;

namespace Token.Api.Tests;

/// <summary>
/// Registering webhooks: what token-api checks and answers. Nothing is delivered here, so the shared token-api is
/// enough (deliveries: <see cref="WebhookTests"/>).
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class WebhookRegistrationTests(TokenApiFixture fixture)
{
    // Not resolvable here, so the registration check lets it pass (every connection is checked again).
    private const string Receiver = "https://hooks.example.com/tokens";

    [Fact]
    public async Task A_webhook_url_that_outbound_calls_may_not_reach_is_refused()
    {
        using var admin = fixture.Api.Admin();
        foreach (var (url, reason) in new[]
        {
            ("http://tokens.example.com/hooks", "must use https"), ("https://127.0.0.1/hooks", "internal address"),
            ("https://10.1.2.3/hooks", "internal address"), ("https://169.254.169.254/latest", "internal address"),
            ("ftp://tokens.example.com/hooks", "absolute http or https URL")
        })
        {
            var problem = await TokenPlatformApi.ReadProblemAsync(
                await admin.PostAsJsonAsync("/webhooks", new { url }), HttpStatusCode.BadRequest);
            Assert.Contains(reason, problem["detail"]!.GetValue<string>());
        }
        var webhook = (await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync(
            "/webhooks", new { url = Receiver }), HttpStatusCode.Created))["id"];
        var refused = await TokenPlatformApi.ReadProblemAsync(
            await admin.PatchAsJsonAsync($"/webhooks/{webhook}", new { url = "https://192.168.1.1/hooks" }),
            HttpStatusCode.BadRequest);
        Assert.Contains("internal address", refused["detail"]!.GetValue<string>());
        var kept = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/webhooks/{webhook}"));
        Assert.Equal(Receiver, kept["url"]!.GetValue<string>());
        await admin.DeleteAsync($"/webhooks/{webhook}");
    }

    [Fact]
    public async Task Unknown_events_are_refused_and_the_secret_is_shown_only_once()
    {
        using var admin = fixture.Api.Admin();
        var problem = await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsJsonAsync("/webhooks", new { url = Receiver, events = new[] { "token.stolen" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("token.refreshed", problem["detail"]!.GetValue<string>());

        var created = await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync(
            "/webhooks", new { url = Receiver, description = "reviews fetcher" }), HttpStatusCode.Created);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", created["secret"]!.GetValue<string>());
        Assert.Equal(["*"], created["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        var id = created["id"]!.GetValue<string>();
        var read = await admin.GetStringAsync($"/webhooks/{id}");
        Assert.DoesNotContain("whsec_", read + await admin.GetStringAsync("/webhooks"));
        await using (var db = await fixture.Api.OpenDatabaseAsync())
        {
            Assert.Equal(0, await DatabaseSearch.CountRowsContainingAsync(db, created["secret"]!.GetValue<string>()));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/webhooks/{id}")).StatusCode);
        await TokenPlatformApi.ReadProblemAsync(await admin.GetAsync($"/webhooks/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_gateway_routes_webhooks_and_their_answers_are_never_cached()
    {
        await using var gateway = GatewayHost.Start(fixture);
        using var admin = fixture.Through(gateway).Admin();

        using var created = await admin.PostAsJsonAsync("/webhooks", new { url = "https://hooks.example.com/tokens" });
        var id = (await TokenPlatformApi.ReadJsonAsync(created, HttpStatusCode.Created))["id"];
        using var deleted = await admin.DeleteAsync($"/webhooks/{id}");

        Assert.True(created.Headers.CacheControl!.NoStore);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
