namespace Token.Contracts;

/// <summary>
/// Refreshing the client's token failed. Usually for a passing reason (the provider was down, slow, rate limiting or
/// answered with an unexpected page) several times in a row: the token, while unexpired, is still served and another
/// attempt is scheduled at <see cref="NextAttemptAt"/>.
/// <para>
/// With <see cref="Paused"/> the provider refused the client's own credentials (<see cref="Error"/> is
/// <c>invalid_client</c> or <c>unauthorized_client</c>) after one attempt: the grant is kept, the token is served
/// until it expires, and nothing is tried (<see cref="NextAttemptAt"/> is <see cref="DateTimeOffset.MaxValue"/>)
/// until an admin changes the client's secret (<c>PATCH /clients/{id}</c>) or the owner consents again.
/// </para>
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
    string Trigger,
    bool Paused = false);
