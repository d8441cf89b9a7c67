namespace Token.Contracts;

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
