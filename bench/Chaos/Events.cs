using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Chaos;

/// <summary>One event as it reached the subscriber: its exchange (type), id, client, token version and time.</summary>
public readonly record struct Event(
    string Type, Guid EventId, int ClientId, long Version, bool Redelivered, DateTimeOffset OccurredAt);

/// <summary>
/// A plain RabbitMQ subscriber of the token events (as bench/TokenPlatform.Benchmarks/RefreshedEvents.cs), on a
/// durable queue of its own, acknowledging each event after noting it: events survive a broker restart, and the
/// client's automatic recovery reconnects and consumes again.
/// </summary>
public sealed class Events(IConnection connection, IChannel channel) : IAsyncDisposable
{
    public static readonly string[] Types =
        ["TokenIssued", "TokenRefreshed", "TokenRefreshFailed", "TokenReauthorizationRequired", "TokenRevoked"];
    private const int MaxEvents = 2_000_000;
    private readonly ConcurrentQueue<Event> _events = new();

    public IReadOnlyCollection<Event> Received => _events;

    public static async Task<Events> SubscribeAsync(string uri)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri), AutomaticRecoveryEnabled = true, TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1)
        };
        var connection = await factory.CreateConnectionAsync("chaos-subscriber");
        var channel = await connection.CreateChannelAsync();
        const string queue = "chaos-events";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var type in Types)
        {
            await channel.ExchangeDeclareAsync($"Token.Contracts:{type}", ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, $"Token.Contracts:{type}", "");
        }
        var events = new Events(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var message = JsonNode.Parse(Encoding.UTF8.GetString(delivery.Body.Span))!["message"]!;
            if (events._events.Count < MaxEvents)
            {
                events._events.Enqueue(new Event(delivery.Exchange["Token.Contracts:".Length..],
                    message["eventId"]!.GetValue<Guid>(), message["clientId"]!.GetValue<int>(),
                    message["tokenVersion"]?.GetValue<long>() ?? 0, delivery.Redelivered,
                    message["occurredAt"]!.GetValue<DateTimeOffset>()));
            }
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
