using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenPlatform.Hosting.Local;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Token.Api.Tests;

/// <summary>
/// The gateway is ready while at least one token-api behind it answers: an orchestrator keeps it in rotation when one
/// instance of several is down, and takes it out when none answers.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class GatewayReadinessTests(TokenApiFixture fixture)
{
    [Fact]
    public async Task The_gateway_is_ready_while_one_token_api_of_two_answers()
    {
        await using var gateway = GatewayHost.Start(fixture, DeadDestination("down"));
        using var client = gateway.From(IPAddress.Loopback);

        using var health = await client.GetAsync("/gateway/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task The_gateway_is_not_ready_when_no_token_api_answers()
    {
        var settings = DeadDestination("token-api");
        foreach (var (key, value) in DeadDestination("down"))
        {
            settings[key] = value;
        }
        await using var gateway = GatewayHost.Start(fixture, settings);
        using var client = gateway.From(IPAddress.Loopback);

        using var health = await client.GetAsync("/gateway/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task A_get_that_meets_a_token_api_that_is_down_is_answered_by_the_other()
    {
        // Round robin, so that half the requests go to the dead one (the default picks at random).
        var settings = DeadDestination("down");
        settings["ReverseProxy:Clusters:token-api:LoadBalancingPolicy"] = "RoundRobin";
        await using var gateway = GatewayHost.Start(fixture, settings);
        using var client = gateway.From(IPAddress.Loopback, fixture.Api.AdminApiKey);

        // A change is not sent twice (it may have reached the first instance): one of two goes to the dead one.
        using var post = await client.PostAsync("/tokens/refresh", TokenPlatformApi.Json("""{"client_id": 1}"""));
        using var again = await client.PostAsync("/tokens/refresh", TokenPlatformApi.Json("""{"client_id": 1}"""));
        Assert.Contains(HttpStatusCode.BadGateway, new[] { post.StatusCode, again.StatusCode });

        for (var request = 0; request < 6; request++)
        {
            using var response = await client.GetAsync("/clients");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_get_that_meets_a_token_api_that_is_down_goes_to_the_other_even_while_health_checks_hold_it_out()
    {
        // The live instance crashed a moment ago and is back, but the passive check still holds it out; now the other
        // one is down: the only destination the checks leave is the dead one.
        var settings = DeadDestination("down");
        settings["ReverseProxy:Clusters:token-api:HealthCheck:Active:Enabled"] = "false";
        await using var gateway = GatewayHost.Start(fixture, settings);
        var cluster = gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster("token-api", out var found)
            ? found : throw new InvalidOperationException("no token-api cluster");
        gateway.Services.GetRequiredService<IDestinationHealthUpdater>().SetPassive(
            cluster, cluster.Destinations.Single(d => d.Key.StartsWith("token-api", StringComparison.Ordinal)).Value,
            DestinationHealth.Unhealthy, TimeSpan.FromMinutes(5));
        using var client = gateway.From(IPAddress.Loopback, fixture.Api.AdminApiKey);

        using var response = await client.GetAsync("/clients");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // And the passive check holds an instance out as long as configured, not for YARP's 60 s failure window.
        Assert.Equal(cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod, gateway.Services
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<TransportFailureRateHealthPolicyOptions>>()
            .Value.DetectionWindowSize);
    }

    /// <summary>A destination named <paramref name="name"/> where nothing listens.</summary>
    private static Dictionary<string, string?> DeadDestination(string name) => new()
    {
        [$"ReverseProxy:Clusters:token-api:Destinations:{name}:Address"] =
            $"http://127.0.0.1:{MachineProbe.FreeTcpPort()}"
    };
}
