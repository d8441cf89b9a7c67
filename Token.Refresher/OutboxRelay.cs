using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Npgsql;
using OpenTelemetry;
using Token.Contracts;

namespace Token.Refresher;

/// <summary>
/// Publishes the outbox's events to RabbitMQ with publisher confirms and deletes each row only once the broker
/// confirmed it: at least once, subscribers dedupe by event id (docs/architecture.md, "The outbox relay").
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource database, SchemaReadiness schema, IBus bus, RefresherMetrics metrics, TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string Channel = "outbox";
    private const int BatchSize = 100;
    private static readonly TimeSpan SafetyPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinCycleInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly ActivitySource Source = new("Token.Refresher");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var notifications =
                    await DatabaseNotifications.ListenAsync(database, Channel, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    var cycleStarted = time.GetTimestamp();
                    while (await RelayBatchAsync(stoppingToken) == BatchSize)
                    {
                    }
                    await notifications.WaitAsync(SafetyPoll, stoppingToken);
                    // Under load one cycle (one commit) carries the events of MinCycleInterval, not one each.
                    var sinceCycle = time.GetElapsedTime(cycleStarted);
                    if (sinceCycle < MinCycleInterval)
                    {
                        await Task.Delay(MinCycleInterval - sinceCycle, time, stoppingToken);
                    }
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The broker or the database is away: the rows stay and go out once both answer.
                LogRelayFailed(exception);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        List<(Guid Id, string Type, string Payload, DateTimeOffset CreatedAt)> rows = [];
        using (SuppressInstrumentationScope.Begin())
        {
            await using var select = new NpgsqlCommand(
                "SELECT id, message_type, payload, created_at FROM outbox ORDER BY created_at LIMIT $1 FOR UPDATE " +
                "SKIP LOCKED", connection, transaction);
            select.Parameters.AddWithValue(BatchSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }
        if (rows.Count == 0)
        {
            return 0;
        }

        using var activity = Source.StartActivity("relay outbox");
        activity?.SetTag("outbox.count", rows.Count);
        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishTimeout.CancelAfter(PublishTimeout);
        // Bounded here too, not only by the token: after a broker restart a publish was seen waiting for its confirm
        // well past its cancellation (docs/reliability.md), holding its rows, locked, until the process stopped. On a
        // timeout the transaction rolls back and the rows go out again (at least once).
        await Task.WhenAll(rows.Select(row =>
        {
            var type = typeof(TokenIssued).Assembly.GetType(row.Type) ?? throw new InvalidOperationException(
                $"Outbox row {row.Id} has unknown type {row.Type}.");
            var message = JsonSerializer.Deserialize(row.Payload, type, JsonSerializerOptions.Web)!;
            return bus.Publish(message, type, context => context.MessageId = row.Id, publishTimeout.Token);
        })).WaitAsync(PublishTimeout, time, ct);

        await using (var delete = new NpgsqlCommand("DELETE FROM outbox WHERE id = ANY($1)", connection, transaction))
        {
            delete.Parameters.AddWithValue(rows.Select(row => row.Id).ToArray());
            await delete.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);

        var now = time.GetUtcNow();
        foreach (var row in rows)
        {
            metrics.Relayed(now - row.CreatedAt);
        }
        return rows.Count;
    }

    [LoggerMessage(LogLevel.Warning, "Relaying the outbox failed; its events stay and are sent again")]
    private partial void LogRelayFailed(Exception exception);
}
