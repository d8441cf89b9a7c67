namespace Token.Contracts;

// The public subscription contract. MassTransit names each exchange after the full type name
// (e.g. "Token.Contracts:TokenIssued"): renaming a type or its namespace breaks subscribers.
// No event ever carries token bytes.

/// <summary>A business owner completed consent and a new grant is stored for the client.</summary>
public sealed record TokenIssued(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt,
    string Trigger);

/// <summary>The client's grant was revoked; the provider may or may not have confirmed it.</summary>
public sealed record TokenRevoked(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    bool ProviderConfirmed,
    DateTimeOffset OccurredAt,
    string Trigger);

/// <summary>The client's access token was replaced by a fresh one.</summary>
public sealed record TokenRefreshed(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt,
    string Trigger);

/// <summary>
/// Refreshing the client's token failed for a passing reason (the provider was down, slow or rate limiting) several
/// times in a row. The token, while unexpired, is still served; another attempt is scheduled.
/// </summary>
public sealed record TokenRefreshFailed(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    int Attempts,
    string Error,
    DateTimeOffset ExpiresAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset OccurredAt,
    string Trigger);

/// <summary>
/// The provider refused the client's grant (invalid_grant or another RFC 6749 §5.2 error): no more refreshes are tried
/// until the business owner consents again through <c>/oauth/start</c>.
/// </summary>
public sealed record TokenReauthorizationRequired(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    string Error,
    DateTimeOffset OccurredAt,
    string Trigger);
