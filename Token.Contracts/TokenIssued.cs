namespace Token.Contracts;

/// <summary>A business owner completed consent and a new grant is stored for the client.</summary>
public sealed record TokenIssued(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt,
    string Trigger);
