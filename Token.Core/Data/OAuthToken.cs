namespace Token.Core.Data;

/// <summary>The client's current grant: one row per client, replaced when the owner consents again.</summary>
public sealed class OAuthToken
{
    public int Id { get; set; }
    public int ClientId { get; set; }
    public required byte[] AccessToken { get; set; }
    public byte[]? RefreshToken { get; set; }
    public string TokenType { get; set; } = "Bearer";
    public string? Scope { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsValid { get; set; } = true;
    public bool IsRevoked { get; set; }
    /// <summary>Grows with every change of the grant; events carry it so subscribers can drop stale ones.</summary>
    public long Version { get; set; }
    public DateTimeOffset? LastRefreshedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// When a refresher should next look at this token: before expiry, for keep-alive, or after a backoff.
    /// </summary>
    public DateTimeOffset RefreshDueAt { get; set; }
    /// <summary>
    /// Which process is refreshing the token, until when; nobody else calls the provider for it meanwhile.
    /// </summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>
    /// When the lease holder sent the refresh token to the provider; cleared with the lease when the answer is stored.
    /// Still set when a new lease is taken: that refresh was interrupted after the provider may have rotated the
    /// refresh token (docs/reliability.md).
    /// </summary>
    public DateTimeOffset? RefreshAttemptedAt { get; set; }
    /// <summary>Passing failures since the last successful refresh; they set the backoff.</summary>
    public int FailureCount { get; set; }
    /// <summary>
    /// The provider's error code of the last failed refresh (never its description: it may echo input).
    /// </summary>
    public string? LastError { get; set; }
    /// <summary>
    /// Set when the provider refused the client's own credentials (its error code, e.g. invalid_client): the grant is
    /// kept but nothing refreshes it until the client's secret is changed or the owner consents again.
    /// </summary>
    public string? RefreshPausedReason { get; set; }
}
