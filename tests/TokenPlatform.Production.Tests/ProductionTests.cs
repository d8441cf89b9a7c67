using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace TokenPlatform.Production.Tests;

/// <summary>
/// The platform as a VM runs it (scripts/run-production.sh): the published services in Production, configured from
/// the environment and files only, 2 token-api and 2 token-refresher behind the https gateway, the database used
/// through a role that cannot change the schema, and the sandbox as an OAuth server from outside, registered through
/// <c>POST /providers</c> like any provider.
/// </summary>
public sealed class ProductionTests(SandboxProcess sandbox) : IClassFixture<SandboxProcess>
{
    private const string Provider = "acme-oauth";

    [Fact]
    public async Task The_published_platform_serves_the_whole_walk_over_https_and_stops_cleanly_on_SIGTERM()
    {
        await using var platform = await ProductionScript.StartAsync(new Dictionary<string, string>
        {
            // The sandbox listens on loopback, which outbound calls refuse unless its origin is trusted.
            ["Providers__TrustedOrigins__0"] = sandbox.BaseAddress.GetLeftPart(UriPartial.Authority)
        });

        await WalkProviderClientConsentValidateRefreshRevokeAsync(platform);
        await HttpsCarriesHstsAndPlainHttpGoesToThePublicUrlAsync(platform);
        await TheServicesRoleCannotChangeTheSchemaAsync(platform);

        var leftovers = await platform.StopAsync();
        Assert.True(leftovers.Count == 0, $"still running after SIGTERM:\n{string.Join('\n', leftovers)}");
    }

    private async Task WalkProviderClientConsentValidateRefreshRevokeAsync(ProductionScript platform)
    {
        var api = new TokenPlatformApi(new PlatformEndpoints(
            Api: key => platform.Client(key),
            Sandbox: () => new HttpClient { BaseAddress = sandbox.BaseAddress },
            ConnectionString: () => Task.FromResult(platform.ServicesConnectionString),
            Reachable: url => url,
            AdminApiKey: platform.AdminApiKey,
            CallbackUrl: new Uri(platform.PublicUrl, "/auth/callback").ToString()));
        using var admin = api.Admin();

        var root = sandbox.BaseAddress.GetLeftPart(UriPartial.Authority);
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name = Provider, authorization_endpoint = $"{root}/connect/authorize",
            token_endpoint = $"{root}/connect/token", revocation_endpoint = $"{root}/connect/revoke",
            scopes = new[] { "https://www.googleapis.com/auth/business.manage" },
            token_endpoint_auth_method = "client_secret_post"
        }), HttpStatusCode.Created);
        var (id, clientId, _) = await api.CreateSandboxClientAsync(Provider);

        // The business owner's browser, over https: login page, its button, the provider's consent, the callback.
        using var browser = platform.Client(followRedirects: false);
        var (providerUrl, cookie) = await TokenPlatformApi.ContinueAsync(browser, await api.StartConsentAsync(id));
        var callbackUrl = await api.ApproveAtProviderAsync(browser, providerUrl);
        Assert.StartsWith(platform.PublicUrl + "auth/callback?", callbackUrl);
        var connected = await TokenPlatformApi.ReadJsonAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie)));
        Assert.Equal(id, connected["client_id"]!.GetValue<int>());

        var issued = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{id}"));
        Assert.True(issued["is_valid"]!.GetValue<bool>(), issued.ToJsonString());

        var before = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/client/{id}"));
        var refreshed = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = id }));
        Assert.NotEqual(before["access_token"]!.GetValue<string>(), refreshed["access_token"]!.GetValue<string>());
        Assert.Equal(1, await api.RefreshAttemptsAsync(clientId));

        await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{id}"));
        // The other token-api instance drops its memory of the grant when TokenRevoked reaches it (well before the
        // cache's 30 s): every answer the gateway spreads over both says so soon after.
        await Eventually.HoldsAsync(async () =>
        {
            for (var answer = 0; answer < 6; answer++)
            {
                var revoked = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{id}"));
                if (revoked["is_valid"]!.GetValue<bool>())
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(10), "a token-api instance still served the revoked grant");
    }

    private static async Task HttpsCarriesHstsAndPlainHttpGoesToThePublicUrlAsync(ProductionScript platform)
    {
        using var https = platform.Client();
        using var health = await https.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(health.Headers.GetValues("Strict-Transport-Security")));

        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = platform.PlainHttpUrl, Timeout = TokenPlatformApi.RequestTimeout
        };
        // The redirect goes to PublicUrl whatever the request says about itself; a POST stays a POST (308).
        using var post = new HttpRequestMessage(HttpMethod.Post, "/tokens/refresh?from=plain")
        {
            Content = TokenPlatformApi.Json("""{"client_id": 1}""")
        };
        post.Headers.Host = "evil.example";
        post.Headers.Add("X-Forwarded-Host", "evil.example");
        post.Headers.Add("X-Forwarded-Proto", "https");
        using var redirected = await plain.SendAsync(post);
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri(platform.PublicUrl, "/tokens/refresh?from=plain"), redirected.Headers.Location);
        Assert.False(redirected.Headers.Contains("Strict-Transport-Security"));
        // Orchestrators probe the gateway itself over plain HTTP.
        using var probe = await plain.GetAsync("/gateway/health");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    private static async Task TheServicesRoleCannotChangeTheSchemaAsync(ProductionScript platform)
    {
        await using var db = new NpgsqlConnection(platform.ServicesConnectionString);
        await db.OpenAsync();
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM clients", db))
        {
            Assert.Equal(1L, await read.ExecuteScalarAsync());
        }
        foreach (var ddl in new[]
        {
            "CREATE TABLE intruder (id int)", "ALTER TABLE clients ADD COLUMN intruder int", "DROP TABLE tokens",
            "CREATE INDEX intruder ON clients (client_id)"
        })
        {
            await using var command = new NpgsqlCommand(ddl, db);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState is PostgresErrorCodes.InsufficientPrivilege,
                $"{ddl}: {refused.SqlState} {refused.MessageText}");
        }
    }
}
