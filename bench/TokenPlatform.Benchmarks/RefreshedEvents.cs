using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TokenPlatform.Benchmarks;

/// <summary>
/// A plain RabbitMQ subscriber of TokenRefreshed that notes, per event, the time from its commit to its arrival.
/// </summary>
public sealed class RefreshedEvents(IConnection connection, IChannel channel) : IAsyncDisposable
{
    private readonly ConcurrentQueue<double> _latencies = new();
    private readonly ConcurrentQueue<Arrival> _arrivals = new();

    /// <summary>Every event as it arrived: its id, when it committed and when it got here.</summary>
    public IReadOnlyList<Arrival> Arrivals => [.. _arrivals];

    public static async Task<RefreshedEvents> SubscribeAsync(DistributedApplication app)
    {
        var factory = new ConnectionFactory { Uri = new Uri((await app.GetConnectionStringAsync("messaging"))!) };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync();
        await channel.ExchangeDeclareAsync("Token.Contracts:TokenRefreshed", ExchangeType.Fanout, durable: true);
        await channel.QueueBindAsync(queue.QueueName, "Token.Contracts:TokenRefreshed", "");
        var events = new RefreshedEvents(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var arrivedAt = DateTimeOffset.UtcNow;
            var message = JsonNode.Parse(Encoding.UTF8.GetString(delivery.Body.Span))!["message"]!;
            var occurredAt = message["occurredAt"]!.GetValue<DateTimeOffset>();
            events._latencies.Enqueue((arrivedAt - occurredAt).TotalMilliseconds);
            events._arrivals.Enqueue(new Arrival(message["eventId"]!.GetValue<Guid>(), occurredAt, arrivedAt));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return events;
    }

    public async Task<List<double>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_latencies.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return [.. _latencies];
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>One event at a subscriber or receiver: its id, its commit (<c>occurredAt</c>) and its arrival.</summary>
public sealed record Arrival(Guid EventId, DateTimeOffset OccurredAt, DateTimeOffset ArrivedAt)
{
    public double LatencyMs => (ArrivedAt - OccurredAt).TotalMilliseconds;
}
