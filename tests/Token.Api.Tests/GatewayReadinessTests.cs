using System.Net;
using TokenPlatform.Hosting.Local;

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

    /// <summary>A destination named <paramref name="name"/> where nothing listens.</summary>
    private static Dictionary<string, string?> DeadDestination(string name) => new()
    {
        [$"ReverseProxy:Clusters:token-api:Destinations:{name}:Address"] =
            $"http://127.0.0.1:{MachineProbe.FreeTcpPort()}"
    };
}
