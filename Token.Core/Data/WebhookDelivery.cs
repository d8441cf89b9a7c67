namespace Token.Core.Data;

/// <summary>
/// One event on its way to one webhook. Written by a trigger on the outbox, in the transaction of the change the event
/// announces, so neither the broker nor a crash between the two can lose it.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    /// <summary>The event's <c>eventId</c>, sent as <c>webhook-id</c>: the same on every attempt and on AMQP.</summary>
    public Guid EventId { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the next attempt is due; while one runs, when its claim lapses.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    /// <summary>Every attempt of the retry schedule failed.</summary>
    Failed
}
