using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using Token.Core.Security;
using Token.Core.Webhooks;

namespace Token.Refresher.Webhooks;

/// <summary>
/// Sends what the outbox's trigger put in <c>webhook_deliveries</c>: claims due deliveries (several refreshers never
/// claim the same one), hands them to <see cref="WebhookOptions.Parallelism"/> send loops, and records each attempt.
/// A failed delivery is tried again after the next of <see cref="WebhookOptions.RetryDelays"/> and given up after the
/// last; an endpoint whose every attempt failed for <see cref="WebhookOptions.DisableAfter"/> is disabled, with why.
/// A claim lapses after <see cref="ClaimDuration"/>, so a refresher that dies mid-request leaves nothing stuck: at
/// least once, receivers dedupe by <c>webhook-id</c> (docs/architecture.md, "Webhooks").
/// </summary>
public sealed partial class WebhookDeliveryWorker(
    NpgsqlDataSource database, SchemaReadiness schema, IHttpClientFactory httpClients, SecretProtector protector,
    IOptions<WebhookOptions> options, WebhookMetrics metrics, TimeProvider time,
    ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string Channel = "webhooks";
    public const string HttpClientName = "webhooks";

    /// <summary>Longer than a request may take (the outbound call timeout, 15 s) and the wait before it.</summary>
    private static readonly TimeSpan ClaimDuration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly ActivitySource Source = new("Token.Refresher");

    private WebhookOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        var claimed = System.Threading.Channels.Channel.CreateBounded<ClaimedDelivery>(Settings.Parallelism);
        var sendLoops = Enumerable.Range(0, Settings.Parallelism)
            .Select(_ => SendLoopAsync(claimed.Reader, stoppingToken)).ToList();
        try
        {
            await ClaimLoopAsync(claimed.Writer, stoppingToken);
        }
        finally
        {
            claimed.Writer.TryComplete();
            await Task.WhenAll(sendLoops);
        }
    }

    private async Task ClaimLoopAsync(ChannelWriter<ClaimedDelivery> claimed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var notifications =
                    await DatabaseNotifications.ListenAsync(database, Channel, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    var due = await ClaimAsync(stoppingToken);
                    foreach (var delivery in due)
                    {
                        await claimed.WriteAsync(delivery, stoppingToken);
                    }
                    if (due.Count < Settings.Parallelism)
                    {
                        await notifications.WaitAsync(await UntilNextDueAsync(stoppingToken), stoppingToken);
                    }
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: claims of this cycle lapse and are claimed again.
                LogCycleFailed(exception);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }

    private async Task SendLoopAsync(ChannelReader<ClaimedDelivery> claimed, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in claimed.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await DeliverAsync(delivery, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Its attempt could not be recorded; the claim lapses and it is sent again.
                    LogRecordFailed(exception, delivery.WebhookId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<List<ClaimedDelivery>> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        using var quiet = SuppressInstrumentationScope.Begin();
        await using var command = database.CreateCommand("""
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.is_enabled
                WHERE d.status = 'Pending' AND d.next_attempt_at <= $1
                ORDER BY d.next_attempt_at LIMIT $2
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $3
            FROM due, webhooks w
            WHERE d.id = due.id AND w.id = d.webhook_id
            RETURNING d.id, d.webhook_id, d.event_id, d.message_type, d.payload::text, d.attempts, d.created_at, w.url,
                      w.secret, w.previous_secret, w.previous_secret_expires_at
            """);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(Settings.Parallelism);
        command.Parameters.AddWithValue(now + ClaimDuration);
        await using var reader = await command.ExecuteReaderAsync(ct);
        List<ClaimedDelivery> claimed = [];
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new ClaimedDelivery(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7),
                reader.GetFieldValue<byte[]>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<byte[]>(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10)));
        }
        return claimed;
    }

    /// <summary>Until the next retry is due, <see cref="WebhookOptions.IdlePoll"/> at most; a new event wakes it.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        using var quiet = SuppressInstrumentationScope.Begin();
        await using var command = database.CreateCommand("""
            SELECT min(d.next_attempt_at) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'Pending' AND w.is_enabled
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var wait = reader.IsDBNull(0)
            ? Settings.IdlePoll
            : reader.GetFieldValue<DateTimeOffset>(0) - time.GetUtcNow();
        return wait < ShortestSleep ? ShortestSleep : wait > Settings.IdlePoll ? Settings.IdlePoll : wait;
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        var eventType = WebhookEvents.Name(delivery.MessageType);
        using var activity = Source.StartActivity("deliver webhook");
        activity?.SetTag("webhook.id", delivery.WebhookId);
        activity?.SetTag("webhook.event_type", eventType);
        activity?.SetTag("webhook.attempt", delivery.Attempt);

        var attemptedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        int? status = null;
        string? error;
        try
        {
            using var request = Request(delivery, attemptedAt);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"HTTP {status}";
        }
        catch (Exception failure) when (!ct.IsCancellationRequested)
        {
            error = Describe(failure);
        }
        var latency = time.GetElapsedTime(started);
        activity?.SetTag("http.response.status_code", status);
        if (error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        var outcome = error is null ? WebhookOutcome.Delivered
            : delivery.Attempt > Settings.RetrySchedule.Count ? WebhookOutcome.GaveUp
            : WebhookOutcome.Retry;
        await RecordAsync(delivery, attemptedAt, status, error, latency, outcome, ct);
        metrics.Attempted(outcome);
        if (outcome == WebhookOutcome.Delivered)
        {
            metrics.Delivered(time.GetUtcNow() - delivery.CreatedAt);
        }
        else if (outcome == WebhookOutcome.GaveUp)
        {
            LogGaveUp(delivery.WebhookId, delivery.EventId, eventType, delivery.Attempt, error!);
        }
    }

    /// <summary>The signed request: headers and body as the Standard Webhooks specification has them.</summary>
    private HttpRequestMessage Request(ClaimedDelivery delivery, DateTimeOffset now)
    {
        var body = WebhookMessage.Body(delivery.MessageType, delivery.Payload);
        var context = SecretContext.WebhookSecret(delivery.WebhookId);
        List<string> secrets = [protector.Unprotect(delivery.Secret, context)];
        if (delivery.PreviousSecret is { } previous && delivery.PreviousSecretExpiresAt > now)
        {
            secrets.Add(protector.Unprotect(previous, context));
        }
        var webhookId = delivery.EventId.ToString();
        var timestamp = now.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json")
        };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(secrets, webhookId, timestamp, body));
        return request;
    }

    private async Task RecordAsync(
        ClaimedDelivery delivery, DateTimeOffset attemptedAt, int? status, string? error, TimeSpan latency,
        WebhookOutcome outcome, CancellationToken ct)
    {
        using var quiet = SuppressInstrumentationScope.Begin();
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO webhook_attempts (webhook_id, delivery_id, event_id, message_type, attempt, attempted_at,
                                              succeeded, status_code, latency_ms, error)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::integer, $9, $10::text)
                """, delivery.WebhookId, delivery.Id, delivery.EventId, delivery.MessageType, delivery.Attempt,
                attemptedAt, error is null, (object?)status ?? DBNull.Value, latency.TotalMilliseconds,
                (object?)error ?? DBNull.Value));
            batch.BatchCommands.Add(outcome == WebhookOutcome.Delivered
                ? Command("UPDATE webhook_deliveries SET status = 'Delivered', delivered_at = $2 WHERE id = $1",
                    delivery.Id, time.GetUtcNow())
                : Command("UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3 WHERE id = $1",
                    delivery.Id, outcome == WebhookOutcome.GaveUp ? "Failed" : "Pending",
                    outcome == WebhookOutcome.GaveUp
                        ? attemptedAt
                        : time.GetUtcNow() + Settings.RetrySchedule[delivery.Attempt - 1]));
            batch.BatchCommands.Add(error is null
                ? Command("UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL",
                    delivery.WebhookId)
                : Command("UPDATE webhooks SET failing_since = coalesce(failing_since, $2) WHERE id = $1",
                    delivery.WebhookId, attemptedAt));
            await batch.ExecuteNonQueryAsync(ct);
        }
        if (error is not null)
        {
            await DisableWhenFailingTooLongAsync(connection, transaction, delivery, error, ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Disables the webhook when its every attempt failed for <see cref="WebhookOptions.DisableAfter"/>.</summary>
    private async Task DisableWhenFailingTooLongAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimedDelivery delivery, string error,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var disable = new NpgsqlCommand("""
            UPDATE webhooks
            SET is_enabled = false, disabled_at = $2,
                disabled_reason = 'every attempt failed since ' || to_char(failing_since AT TIME ZONE 'UTC',
                    'YYYY-MM-DD"T"HH24:MI:SS"Z"') || $3
            WHERE id = $1 AND is_enabled AND failing_since <= $2 - $4
            RETURNING disabled_reason
            """, connection, transaction);
        disable.Parameters.AddWithValue(delivery.WebhookId);
        disable.Parameters.AddWithValue(now);
        disable.Parameters.AddWithValue($" (Webhooks:DisableAfter is {Settings.DisableAfter}); the last: {error}");
        disable.Parameters.AddWithValue(Settings.DisableAfter);
        if (await disable.ExecuteScalarAsync(ct) is string reason)
        {
            metrics.Disabled();
            LogDisabled(delivery.WebhookId, reason);
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }

    /// <summary>Why no answer came, without the answer's body or the URL's query.</summary>
    private static string Describe(Exception failure)
    {
        var text = failure switch
        {
            TaskCanceledException or TimeoutException => "no answer within the outbound call timeout",
            SecretUnreadableException => "the signing secret cannot be read with the configured encryption keys",
            _ => failure.Message
        };
        return text.Length <= 500 ? text : text[..500];
    }

    [LoggerMessage(LogLevel.Warning, "Claiming webhook deliveries failed; trying again")]
    private partial void LogCycleFailed(Exception exception);

    [LoggerMessage(LogLevel.Warning, "Recording an attempt for webhook {WebhookId} failed; it is sent again")]
    private partial void LogRecordFailed(Exception exception, Guid webhookId);

    [LoggerMessage(LogLevel.Warning,
        "Webhook {WebhookId} gave up {EventType} event {EventId} after {Attempts} attempts; the last: {Error}")]
    private partial void LogGaveUp(Guid webhookId, Guid eventId, string eventType, int attempts, string error);

    [LoggerMessage(LogLevel.Warning, "Webhook {WebhookId} disabled: {Reason}")]
    private partial void LogDisabled(Guid webhookId, string reason);

    private sealed record ClaimedDelivery(
        Guid Id, Guid WebhookId, Guid EventId, string MessageType, string Payload, int Attempt,
        DateTimeOffset CreatedAt, string Url, byte[] Secret, byte[]? PreviousSecret,
        DateTimeOffset? PreviousSecretExpiresAt);
}
