namespace Token.Contracts;

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
