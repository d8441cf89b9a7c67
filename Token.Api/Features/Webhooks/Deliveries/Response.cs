namespace Token.Api.Features.Webhooks.Deliveries;

/// <param name="Pending">Deliveries still to be sent (retries included).</param>
/// <param name="Failed">Deliveries given up after the whole retry schedule.</param>
/// <param name="Attempts">The latest attempts, newest first.</param>
public sealed record Response(long Pending, long Failed, IReadOnlyList<AttemptResponse> Attempts);

/// <param name="EventId">The event's id, sent as the <c>webhook-id</c> header: the same on every attempt.</param>
/// <param name="Attempt">1 for a delivery's first attempt.</param>
/// <param name="StatusCode">The receiver's HTTP status; null when no answer came.</param>
public sealed record AttemptResponse(
    Guid DeliveryId, Guid EventId, string EventType, int Attempt, DateTimeOffset AttemptedAt, bool Succeeded,
    int? StatusCode, double LatencyMs, string? Error);
