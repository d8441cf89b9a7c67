using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Token.Api.Tests;

[Collection(TokenApiCollection.Name)]
public sealed class OAuthFlowTests(TokenApiFixture fixture)
{
    private readonly TokenPlatformApi _api = fixture.Api;

    [Fact]
    public async Task A_consented_client_validates_to_a_token_the_provider_confirms_and_TokenIssued_is_written_to_the_outbox()
    {
        var client = await _api.CreateSandboxClientAsync();

        var (_, callback) = await _api.ConnectAsync(client.Id);
        var connected = await TokenPlatformApi.ReadJsonAsync(callback);
        Assert.Equal("connected", connected["status"]!.GetValue<string>());

        using var admin = _api.Admin();
        using var validateResponse = await admin.GetAsync($"/tokens/validate/{client.Id}");
        var validate = await TokenPlatformApi.ReadJsonAsync(validateResponse);
        Assert.True(validate["is_valid"]!.GetValue<bool>());
        Assert.Equal(client.Id, validate["client_id"]!.GetValue<int>());
        Assert.Equal("no-store", validateResponse.Headers.CacheControl?.ToString());
        var accessToken = validate["access_token"]!.GetValue<string>();

        using var sandbox = _api.Sandbox();
        var info = await TokenPlatformApi.ReadJsonAsync(
            await sandbox.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(accessToken)}"));
        Assert.True(info["active"]!.GetValue<bool>());
        Assert.Equal(client.ClientId, info["client_id"]!.GetValue<string>());

        // The refresher relays the outbox to RabbitMQ (end to end); here nothing takes the event away.
        Assert.Equal(1, await _api.CountAsync(
            $"outbox WHERE message_type LIKE '%.TokenIssued' AND payload::jsonb->>'clientId' = '{client.Id}' " +
            "AND payload::jsonb->>'trigger' = 'consent'"));
    }

    [Fact]
    public async Task Once_warm_validate_answers_from_memory_without_reading_the_database()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        var warm = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));

        // Changed behind the platform's back: a read of the database would now see a revoked grant.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var revoke = new NpgsqlCommand("UPDATE tokens SET is_revoked = true WHERE client_id = @id", db);
            revoke.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
        }

        var cached = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.True(cached["is_valid"]!.GetValue<bool>());
        Assert.Equal(warm["access_token"]!.GetValue<string>(), cached["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task While_the_provider_fails_the_still_valid_token_is_served_without_asking_the_provider_on_every_read()
    {
        var client = await _api.CreateSandboxClientAsync();
        // An 8 s token is due for refresh after 4 s (the buffer is never more than half the lifetime), and the reads
        // below fit in the 4 s it is still valid for.
        await _api.SetSandboxSwitchesAsync(new { access_token_lifetime_seconds = 8 });
        try
        {
            await _api.ConnectAsync(client.Id);
            await _api.SetSandboxSwitchesAsync(new
            {
                token_failure = new { mode = "status", status_code = 503, grant_type = "refresh_token" }
            });
            using var admin = _api.Admin();
            var issued = (await TokenPlatformApi.ReadJsonAsync(
                await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (await _api.RefreshAttemptsAsync(client.ClientId) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no refresh was attempted once the token was due");
                await admin.GetAsync($"/tokens/validate/{client.Id}");
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }

            for (var i = 0; i < 20; i++)
            {
                var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
                Assert.True(read["is_valid"]!.GetValue<bool>());
                Assert.Equal(issued, read["access_token"]!.GetValue<string>());
            }
            Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
        }
        finally
        {
            await _api.ResetSandboxAsync();
        }
    }

    [Fact]
    public async Task Invalid_grant_requires_reauthorization_after_one_attempt_with_no_further_calls_and_one_event()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        await _api.SetSandboxSwitchesAsync(
            new { token_failure = new { mode = "invalid_grant", grant_type = "refresh_token" } });
        try
        {
            using var admin = _api.Admin();
            for (var i = 0; i < 3; i++)
            {
                var refresh = await TokenPlatformApi.ReadJsonAsync(
                    await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id }));
                Assert.False(refresh["is_valid"]!.GetValue<bool>());
                var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
                Assert.Equal("reauthorization_required", read["reason"]!.GetValue<string>());
            }
            Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
            Assert.Equal(1, await _api.CountAsync(
                $"outbox WHERE message_type LIKE '%.TokenReauthorizationRequired' " +
                $"AND payload::jsonb->>'clientId' = '{client.Id}' AND payload::jsonb->>'error' = 'invalid_grant'"));

            // The same client gets a fresh consent link, and consenting again makes it valid.
            await _api.SetSandboxSwitchesAsync(new { token_failure = new { mode = "none" } });
            Assert.Equal(HttpStatusCode.OK, (await _api.ConnectAsync(client.Id)).Answer.StatusCode);
            Assert.True((await TokenPlatformApi.ReadJsonAsync(
                await admin.GetAsync($"/tokens/validate/{client.Id}")))["is_valid"]!.GetValue<bool>());
        }
        finally
        {
            await _api.ResetSandboxAsync();
        }
    }

    [Fact]
    public async Task A_client_whose_credentials_the_provider_refuses_keeps_its_token_until_a_new_secret_resumes_it()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        var issued = (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();
        // Not the secret the provider knows: it answers invalid_client, as after a rotation there but not here.
        await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/clients/{client.Id}", new { client_secret = "not-the-registered-one" }));

        for (var i = 0; i < 3; i++)
        {
            var refresh = await TokenPlatformApi.ReadJsonAsync(
                await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id }));
            Assert.Equal("client_credentials_rejected", refresh["reason"]!.GetValue<string>());
            var read = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
            Assert.True(read["is_valid"]!.GetValue<bool>());
            Assert.Equal(issued, read["access_token"]!.GetValue<string>());
        }
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
        Assert.Equal(1, await _api.CountAsync(
            $"outbox WHERE message_type LIKE '%.TokenRefreshFailed' AND payload::jsonb->>'clientId' = '{client.Id}' " +
            "AND payload::jsonb->>'error' = 'invalid_client' AND payload::jsonb->>'paused' = 'true'"));

        // Once the token is in its last seconds (TokenReader.ExpiryLeeway), validate says why there is none, in the
        // same shape as every other answer without a token.
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var expire = new NpgsqlCommand(
                "UPDATE tokens SET expires_at = now() + interval '1.5 seconds' WHERE client_id = @id", db);
            expire.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }
        await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id });
        var expired = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.Equal(["client_id", "access_token", "token_type", "expires_at", "is_valid", "reason", "token_version"],
            expired.Select(p => p.Key));
        Assert.Equal((false, "client_credentials_rejected"),
            (expired["is_valid"]!.GetValue<bool>(), expired["reason"]!.GetValue<string>()));
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));

        await TokenPlatformApi.ReadJsonAsync(
            await admin.PatchAsJsonAsync($"/clients/{client.Id}", new { client_secret = client.Secret }));

        var resumed = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.True(resumed["is_valid"]!.GetValue<bool>());
        Assert.NotEqual(issued, resumed["access_token"]!.GetValue<string>());
        Assert.Equal(2, await _api.RefreshAttemptsAsync(client.ClientId));
    }

    [Fact]
    public async Task The_code_exchange_carries_the_PKCE_verifier()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ClearSandboxRequestsAsync();

        await _api.ConnectAsync(client.Id);

        var exchange = (await _api.SandboxTokenRequestsAsync())
            .Single(r => r!["client_id"]!.GetValue<string>() == client.ClientId)!;
        Assert.Equal("authorization_code", exchange["grant_type"]!.GetValue<string>());
        Assert.True(exchange["has_code_verifier"]!.GetValue<bool>());
        Assert.InRange(exchange["code_verifier_length"]!.GetValue<int>(), 43, 128);
    }

    [Fact]
    public async Task A_replayed_state_is_refused_without_calling_the_provider()
    {
        var client = await _api.CreateSandboxClientAsync();
        var (callbackUrl, first) = await _api.ConnectAsync(client.Id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await _api.ClearSandboxRequestsAsync();

        using var browser = TokenPlatformApi.Browser();
        await TokenPlatformApi.ReadProblemAsync(await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl)),
            HttpStatusCode.BadRequest);

        Assert.Empty(await _api.SandboxTokenRequestsAsync());
    }

    [Fact]
    public async Task An_expired_state_is_refused_without_calling_the_provider()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var browser = TokenPlatformApi.Browser();
        var (providerUrl, cookie) = await _api.ContinueAsync(browser, client.Id);
        await using (var db = await _api.OpenDatabaseAsync())
        {
            await using var expire = new NpgsqlCommand(
                "UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE client_id = @id", db);
            expire.Parameters.AddWithValue("id", client.Id);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }
        await _api.ClearSandboxRequestsAsync();

        var callbackUrl = await _api.ApproveAtProviderAsync(browser, providerUrl);
        var problem = await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(callbackUrl, cookie)), HttpStatusCode.BadRequest);

        Assert.Contains("expired", problem["detail"]!.GetValue<string>());
        Assert.Empty(await _api.SandboxTokenRequestsAsync());
    }

    [Fact]
    public async Task A_foreign_state_is_refused_without_calling_the_provider()
    {
        await _api.ClearSandboxRequestsAsync();
        using var browser = TokenPlatformApi.Browser();

        var response = await browser.SendAsync(
            TokenPlatformApi.JsonGet(_api.Link("/auth/callback?code=stolen&state=not-ours")));

        await TokenPlatformApi.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await _api.SandboxTokenRequestsAsync());
    }

    [Fact]
    public async Task The_owner_denying_consent_is_shown_not_thrown()
    {
        var client = await _api.CreateSandboxClientAsync();
        using var browser = TokenPlatformApi.Browser();
        var (providerUrl, cookie) = await _api.ContinueAsync(browser, client.Id);
        await _api.SetSandboxSwitchesAsync(new { auto_approve = false });

        // The person clicks "Deny" on the sandbox's consent page.
        var page = await browser.GetStringAsync(providerUrl);
        Assert.Contains("Deny", page);
        var form = TokenPlatformApi.HiddenFields(page);
        form["decision"] = "deny";
        var denied = await browser.PostAsync(new Uri(new Uri(providerUrl), "/connect/authorize"),
            new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);

        using var back = new HttpRequestMessage(HttpMethod.Get, _api.Reachable(denied.Headers.Location!.ToString()));
        back.Headers.Add("Cookie", cookie);
        var answer = await browser.SendAsync(back);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("access_denied", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_login_link_works_once_for_its_own_client_and_never_without_a_ticket()
    {
        var client = await _api.CreateSandboxClientAsync();
        var other = await _api.CreateSandboxClientAsync();
        var loginUrl = await _api.StartConsentAsync(client.Id);
        var ticket = System.Web.HttpUtility.ParseQueryString(new Uri(loginUrl).Query)["ticket"];
        using var browser = TokenPlatformApi.Browser();

        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(_api.Link($"/oauth/login/{client.Id}"))),
            HttpStatusCode.BadRequest);
        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonGet(_api.Link($"/oauth/login/{other.Id}?ticket={ticket}"))),
            HttpStatusCode.BadRequest);
        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonLoginPost(_api.Link($"/oauth/login/{other.Id}"), ticket!)),
            HttpStatusCode.BadRequest);
        await TokenPlatformApi.ContinueAsync(browser, loginUrl);
        await TokenPlatformApi.ReadProblemAsync(
            await browser.SendAsync(TokenPlatformApi.JsonLoginPost(_api.Link($"/oauth/login/{client.Id}"), ticket!)),
            HttpStatusCode.BadRequest);
        await TokenPlatformApi.ReadProblemAsync(await browser.SendAsync(TokenPlatformApi.JsonGet(loginUrl)),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Refresh_and_revocation_reach_the_provider()
    {
        var client = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(client.Id);
        using var admin = _api.Admin();
        var before = (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>();

        var refreshed = await TokenPlatformApi.ReadJsonAsync(
            await admin.PostAsJsonAsync("/tokens/refresh", new { client_id = client.Id }));
        var after = refreshed["access_token"]!.GetValue<string>();
        Assert.NotEqual(before, after);
        Assert.Equal(after, (await TokenPlatformApi.ReadJsonAsync(
            await admin.GetAsync($"/tokens/validate/{client.Id}")))["access_token"]!.GetValue<string>());

        await _api.ClearSandboxRequestsAsync();
        var revoked = await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{client.Id}"));
        Assert.True(revoked["provider_confirmed"]!.GetValue<bool>());
        Assert.Contains(await _api.SandboxTokenRequestsAsync(), r => r!["endpoint"]!.GetValue<string>() == "revoke");

        var validate = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{client.Id}"));
        Assert.False(validate["is_valid"]!.GetValue<bool>());
        Assert.Null(validate["access_token"]);
        Assert.Equal("revoked", validate["reason"]!.GetValue<string>());
        using var sandbox = _api.Sandbox();
        Assert.Equal(HttpStatusCode.BadRequest,
            (await sandbox.GetAsync($"/tokeninfo?access_token={Uri.EscapeDataString(after)}")).StatusCode);
    }
}
