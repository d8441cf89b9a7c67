namespace Token.Core.Data;

/// <summary>One HTTP request of a delivery, as <c>GET /webhooks/{id}/deliveries</c> lists it.</summary>
public sealed class WebhookAttempt
{
    /// <summary>Grows with every attempt: the newest-first order.</summary>
    public long Id { get; set; }
    public Guid WebhookId { get; set; }
    public Guid DeliveryId { get; set; }
    public Guid EventId { get; set; }
    public required string MessageType { get; set; }
    /// <summary>1 for the first attempt of its delivery.</summary>
    public int Attempt { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public bool Succeeded { get; set; }
    /// <summary>The receiver's HTTP status, or null when no answer came (refused, timed out).</summary>
    public int? StatusCode { get; set; }
    public double LatencyMs { get; set; }
    /// <summary>Why it failed, without the answer's body.</summary>
    public string? Error { get; set; }
}
