using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class AdminApiTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => sandbox.ResetAsync();

    [Fact]
    public async Task Registering_a_client_again_is_accepted_with_the_same_data_and_refused_with_other_data()
    {
        var registration = new
        {
            client_id = $"client-{Guid.NewGuid():N}", client_secret = "secret-1",
            redirect_uris = new[] { "http://localhost:7000/cb" }
        };

        using var created = await sandbox.Http.PostAsJsonAsync("/sandbox/clients", registration);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(registration.client_id, body.GetProperty("client_id").GetString());
        Assert.False(body.TryGetProperty("client_secret", out _));

        using var again = await sandbox.Http.PostAsJsonAsync("/sandbox/clients", registration);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using var otherSecret = await sandbox.Http.PostAsJsonAsync("/sandbox/clients",
            registration with { client_secret = "secret-2" });
        Assert.Equal(HttpStatusCode.Conflict, otherSecret.StatusCode);

        using var otherRedirect = await sandbox.Http.PostAsJsonAsync("/sandbox/clients",
            registration with { redirect_uris = new[] { "http://localhost:7000/other" } });
        Assert.Equal(HttpStatusCode.Conflict, otherRedirect.StatusCode);
    }

    [Fact]
    public async Task An_incomplete_registration_is_refused()
    {
        using var response = await sandbox.Http.PostAsJsonAsync("/sandbox/clients", new { client_id = "incomplete" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Switches_start_at_their_defaults_and_take_partial_updates()
    {
        var switches = await sandbox.Http.GetFromJsonAsync<JsonElement>("/sandbox/switches");
        Assert.True(switches.GetProperty("auto_approve").GetBoolean()); // set by ResetAsync
        Assert.Equal(3600, switches.GetProperty("access_token_lifetime_seconds").GetInt32());
        Assert.True(switches.GetProperty("rotate_refresh_tokens").GetBoolean());
        Assert.Equal("none", switches.GetProperty("token_failure").GetProperty("mode").GetString());

        var updated = await sandbox.SetSwitchesAsync(new { rotate_refresh_tokens = false });

        Assert.False(updated.GetProperty("rotate_refresh_tokens").GetBoolean());
        Assert.True(updated.GetProperty("auto_approve").GetBoolean());
        Assert.Equal(3600, updated.GetProperty("access_token_lifetime_seconds").GetInt32());
    }

    [Fact]
    public async Task A_switch_update_with_an_unknown_field_or_value_is_refused()
    {
        using var unknownField = await sandbox.Http.PutAsJsonAsync("/sandbox/switches", new { auto_aprove = true });
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);

        using var unknownMode = await sandbox.Http.PutAsJsonAsync("/sandbox/switches",
            new { token_failure = new { mode = "sometimes" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownMode.StatusCode);

        using var badLifetime = await sandbox.Http.PutAsJsonAsync("/sandbox/switches",
            new { access_token_lifetime_seconds = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, badLifetime.StatusCode);
    }

    [Fact]
    public async Task The_request_log_can_be_cleared()
    {
        var client = await sandbox.RegisterClientAsync();
        await sandbox.GetTokensAsync(client);
        Assert.NotEmpty(await sandbox.RecordedRequestsAsync());

        using var cleared = await sandbox.Http.DeleteAsync("/sandbox/requests");

        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Empty(await sandbox.RecordedRequestsAsync());
    }

    [Fact]
    public async Task Health_reports_the_database()
    {
        var health = await sandbox.Http.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy",
            health.GetProperty("checks").GetProperty("sandbox-db").GetProperty("status").GetString());
    }
}
