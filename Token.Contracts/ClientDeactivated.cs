namespace Token.Contracts;

/// <summary>
/// The client was deactivated: its grant is kept but neither served nor refreshed, and its pending consents are
/// refused, until it is active again.
/// </summary>
public sealed record ClientDeactivated(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    DateTimeOffset OccurredAt,
    string Trigger);
