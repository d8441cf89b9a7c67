namespace Token.Contracts;

/// <summary>
/// The client's grant is dead (the provider answered invalid_grant, or the grant's provider or refresh token is gone):
/// no more refreshes are tried until the business owner consents again through <c>/oauth/start</c>.
/// </summary>
public sealed record TokenReauthorizationRequired(
    Guid EventId,
    int ClientId,
    IReadOnlyList<string> BranchIds,
    long TokenVersion,
    string Error,
    DateTimeOffset OccurredAt,
    string Trigger);
