using System.Net;
using Npgsql;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>
/// The broker stopped under a running platform: what crosses the processes' boundary to RabbitMQ (the outbox relay,
/// MassTransit's reconnection) is what this shows. On the gateway platform, whose refreshers look for due tokens
/// every second.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BrokerOutageTests(GatewayFixture platform) : IAsyncLifetime
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(60);
    private readonly TokenPlatformApi _api = platform.App.Api();

    public Task InitializeAsync() => _api.ClearSandboxRequestsAsync();

    public Task DisposeAsync() => _api.SetSandboxSwitchesAsync(new { access_token_lifetime_seconds = 3600 });

    [Fact]
    public async Task Events_written_while_the_broker_is_stopped_all_arrive_once_it_is_back()
    {
        var queue = "outage-test-" + Guid.NewGuid().ToString("N")[..8];
        await using var events =
            await EventSubscription.StartAsync(
                (await platform.App.GetConnectionStringAsync("messaging"))!, ["TokenIssued", "TokenRefreshed"], queue);
        // 20 s tokens: each is refreshed about every 10 s, during the outage too.
        await _api.SetSandboxSwitchesAsync(new { access_token_lifetime_seconds = 20 });
        var broker = BrokerProcessIds();
        var clients = new List<int>();
        Signal("STOP", broker);
        try
        {
            var stoppedAt = DateTime.UtcNow;
            for (var i = 0; i < 3; i++)
            {
                var client = await _api.CreateSandboxClientAsync();
                Assert.Equal(HttpStatusCode.OK, (await _api.ConnectAsync(client.Id)).Answer.StatusCode);
                clients.Add(client.Id);
            }
            // The outage lasts 30 s whatever the consents took.
            var rest = TimeSpan.FromSeconds(30) - (DateTime.UtcNow - stoppedAt);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
            Assert.True(await OutboxBacklogAsync() >= clients.Count, "the events did not wait in the outbox");
        }
        finally
        {
            Signal("CONT", broker);
        }

        // Every version that exists was announced: TokenIssued for the first, TokenRefreshed for each after it.
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var clientId in clients)
            {
                var version = (await _api.TokenRowAsync(clientId)).Version;
                var announced = events.Of("TokenIssued", clientId).Concat(events.Of("TokenRefreshed", clientId))
                    .Select(e => e["tokenVersion"]!.GetValue<long>()).ToHashSet();
                if (!Enumerable.Range(1, (int)version).All(v => announced.Contains(v)))
                {
                    return false;
                }
            }
            return true;
        }, EventTimeout, "an event written during the outage never arrived");
        Assert.All(clients, clientId =>
            Assert.True(events.Of("TokenRefreshed", clientId).Count > 0, $"client {clientId} was not refreshed"));
        await events.DeleteQueueAsync(queue);
    }

    /// <summary>
    /// The broker's processes: its script, the Erlang VM and what it started, all found by its data folder.
    /// </summary>
    private int[] BrokerProcessIds()
    {
        var broker = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<TokenPlatform.Hosting.Local.LocalServerResource>().Single(server => server.Name == "messaging");
        var ids = ServerProcesses.Using(broker.DataDirectory)
            .Select(process => int.Parse(process.Split(':')[0])).ToArray();
        Assert.NotEmpty(ids);
        return ids;
    }

    /// <summary>SIGSTOP freezes a process where it stands (no goodbye to its clients); SIGCONT lets it go on.</summary>
    private static void Signal(string signal, int[] processIds)
    {
        using var kill = System.Diagnostics.Process.Start("kill",
            [$"-{signal}", .. processIds.Select(id => id.ToString())]);
        kill.WaitForExit();
    }

    private async Task<long> OutboxBacklogAsync()
    {
        await using var db = await _api.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM outbox", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
