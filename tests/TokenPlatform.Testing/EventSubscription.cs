using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TokenPlatform.Testing;

/// <summary>
/// A subscriber of our own on the real broker, as another service (not written in .NET) would be: a queue bound to
/// the events' exchanges, which MassTransit names after the events' full type names.
/// </summary>
public sealed class EventSubscription : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<(string Type, JsonObject Message)> _received = new();

    private EventSubscription(IConnection connection, IChannel channel) =>
        (_connection, _channel) = (connection, channel);

    /// <param name="broker">The broker's amqp:// URI.</param>
    /// <param name="queue">
    /// A durable queue keeps what arrives while this subscriber is away; null for a temporary one.
    /// </param>
    public static async Task<EventSubscription> StartAsync(string broker, string[] events, string? queue = null)
    {
        var factory = new ConnectionFactory { Uri = new Uri(broker), AutomaticRecoveryEnabled = true };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var declared = queue is null
            ? await channel.QueueDeclareAsync()
            : await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var name in events)
        {
            // Declared exactly as MassTransit declares it, so whichever side comes first, both agree.
            await channel.ExchangeDeclareAsync($"Token.Contracts:{name}", ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(declared.QueueName, $"Token.Contracts:{name}", "");
        }

        var subscription = new EventSubscription(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var envelope = JsonNode.Parse(Encoding.UTF8.GetString(delivery.Body.Span))!.AsObject();
            var type = envelope["messageType"]![0]!.GetValue<string>().Split(':').Last();
            subscription._received.Enqueue((type, envelope["message"]!.AsObject()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(declared.QueueName, autoAck: true, consumer);
        return subscription;
    }

    /// <summary>The events of one client received so far, by type name.</summary>
    public IReadOnlyList<JsonObject> Of(string type, int clientId) =>
        [.. _received.Where(e => e.Type == type && e.Message["clientId"]!.GetValue<int>() == clientId)
            .Select(e => e.Message)];

    public async Task<JsonObject> WaitForAsync(string type, int clientId, Func<JsonObject, bool> match,
        TimeSpan timeout)
    {
        JsonObject? found = null;
        await Eventually.HoldsAsync(
            () => Task.FromResult((found = Of(type, clientId).FirstOrDefault(match)) is not null), timeout,
            $"no {type} for client {clientId} arrived");
        return found!;
    }

    public async Task DeleteQueueAsync(string queue) => await _channel.QueueDeleteAsync(queue);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
