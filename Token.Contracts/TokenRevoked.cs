namespace Token.Contracts;

/// <summary>The client's grant was revoked; the provider may or may not have confirmed it.</summary>
public sealed record TokenRevoked(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    bool ProviderConfirmed,
    DateTimeOffset OccurredAt,
    string Trigger);
