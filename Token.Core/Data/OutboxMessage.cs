namespace Token.Core.Data;

/// <summary>An event written in the same transaction as the change it announces, relayed to RabbitMQ later.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
