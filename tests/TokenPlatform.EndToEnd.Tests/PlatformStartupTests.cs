using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Token.Core.Data;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>What a started platform looks like; on the gateway tests' platform, which they leave healthy.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PlatformStartupTests(GatewayFixture platform)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Every_resource_reports_healthy()
    {
        foreach (var name in Platform.Resources)
        {
            Assert.True(platform.App.ResourceNotifications.TryGetCurrentState(name, out var state),
                $"{name} is not in the model");
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
                state.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Token_api_health_through_the_gateway_reports_a_current_schema_and_a_connected_bus()
    {
        var checks = await GetHealthChecksAsync("token-gateway", "/health");

        Assert.Equal("Healthy", checks["tokendb-schema"]);
        Assert.Equal("Healthy", checks["masstransit-bus"]);
    }

    [Fact]
    public async Task Refresher_health_reports_a_connected_bus()
    {
        var checks = await GetHealthChecksAsync("token-refresher", "/health");

        Assert.Equal("Healthy", checks["masstransit-bus"]);
    }

    [Fact]
    public async Task Gateway_health_includes_token_api_reachability()
    {
        var checks = await GetHealthChecksAsync("token-gateway", "/gateway/health");

        Assert.Equal("Healthy", checks["token-api"]);
    }

    [Fact]
    public async Task Migrations_created_the_legacy_schema_before_token_api_became_healthy()
    {
        using var cts = new CancellationTokenSource(RequestTimeout);
        var connectionString = await platform.App.GetConnectionStringAsync("tokendb", cts.Token);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cts.Token);
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cts.Token))
        {
            while (await reader.ReadAsync(cts.Token))
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Superset(
            new HashSet<string> { "clients", "branches", "tokens", "oauth_states", "__EFMigrationsHistory" },
            tables.ToHashSet());

        var options = new DbContextOptionsBuilder<TokenDbContext>().UseNpgsql(connectionString);
        TokenDatabaseExtensions.UseTokenDbConventions(options);
        await using var db = new TokenDbContext(options.Options);
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(cts.Token));
    }

    [Fact]
    public async Task The_gateway_is_the_only_external_resource_and_listens_on_8002()
    {
        var model = platform.App.Services.GetRequiredService<DistributedApplicationModel>();

        var external = model.Resources
            .Where(resource => resource.TryGetEndpoints(out var endpoints)
                && endpoints.Any(endpoint => endpoint.IsExternal))
            .Select(resource => resource.Name);
        Assert.Equal(["token-gateway"], external);

        var gateway = model.Resources.Single(resource => resource.Name == "token-gateway");
        Assert.True(gateway.TryGetEndpoints(out var gatewayEndpoints));
        Assert.Equal(8002, gatewayEndpoints.Single(endpoint => endpoint.Name == "http").Port);

        // The request itself proves the gateway forwards to token-api: the root document is token-api's.
        using var client = platform.App.CreateHttpClient("token-gateway");
        using var cts = new CancellationTokenSource(RequestTimeout);
        using var response = await client.GetAsync("/", cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"service\":\"Token Generation Service\"",
            await response.Content.ReadAsStringAsync(cts.Token));
    }

    private async Task<Dictionary<string, string>> GetHealthChecksAsync(string resource, string path)
    {
        using var client = platform.App.CreateHttpClient(resource);
        using var cts = new CancellationTokenSource(RequestTimeout);
        using var response = await client.GetAsync(path, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
        return body.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(check => check.Name, check => check.Value.GetProperty("status").GetString()!);
    }
}
