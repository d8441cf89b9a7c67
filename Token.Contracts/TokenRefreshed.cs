namespace Token.Contracts;

/// <summary>The client's access token was replaced by a fresh one.</summary>
public sealed record TokenRefreshed(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt,
    string Trigger);
