namespace Token.Core.Data;

/// <summary>
/// An endpoint that receives the platform's events as signed HTTP requests (Standard Webhooks). Its signing secret is
/// stored only as ciphertext; during a rotation the previous one signs too, until <see cref="PreviousSecretExpiresAt"/>.
/// </summary>
public sealed class Webhook
{
    /// <summary>Made before the row is written, so the secret's ciphertext can be bound to it.</summary>
    public Guid Id { get; set; }
    public required string Url { get; set; }
    /// <summary>The events' message types (<c>Token.Contracts.TokenRefreshed</c>, …); empty means every event.</summary>
    public List<string> Events { get; set; } = [];
    public string? Description { get; set; }
    public required byte[] Secret { get; set; }
    public byte[]? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public bool IsEnabled { get; set; } = true;
    /// <summary>Why the platform disabled it (it kept failing), or null.</summary>
    public string? DisabledReason { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    /// <summary>The first failed attempt since its last delivery, or null while it answers.</summary>
    public DateTimeOffset? FailingSince { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
