namespace Token.Client;

/// <summary>A client's token as <c>GET /tokens/validate/{client_id}</c> and <c>POST /tokens/refresh</c> answer it.</summary>
/// <param name="ClientId">The client's numeric id.</param>
/// <param name="AccessToken">The access token; null when <paramref name="IsValid"/> is false.</param>
/// <param name="TokenType">The token's type, e.g. <c>Bearer</c>.</param>
/// <param name="ExpiresAt">When the access token expires.</param>
/// <param name="IsValid">Whether there is a token that works now.</param>
/// <param name="Reason">
/// Why there is none: <c>no_grant</c>, <c>revoked</c>, <c>expired</c>, <c>reauthorization_required</c>,
/// <c>client_credentials_rejected</c>, <c>client_inactive</c> or <c>unreadable</c>.
/// </param>
/// <param name="TokenVersion">Grows with every change of the grant; name it when the token was refused.</param>
public sealed record PlatformToken(
    int ClientId, string? AccessToken, string? TokenType, DateTimeOffset? ExpiresAt, bool IsValid, string? Reason,
    long? TokenVersion)
{
    /// <summary>The access token, or <see cref="TokenUnavailableException"/> when there is none.</summary>
    internal string Usable() =>
        IsValid && AccessToken is not null ? AccessToken : throw new TokenUnavailableException(ClientId, Reason);
}

/// <summary>A client of the platform (<c>GET /clients/{id}</c>); never its secret.</summary>
/// <param name="Id">The numeric id that token paths name.</param>
/// <param name="ClientId">The OAuth client id at the provider.</param>
/// <param name="RedirectUri">Where the provider sends the business owner back.</param>
/// <param name="Provider">The provider's name, e.g. <c>google</c>.</param>
/// <param name="IsActive">False while the client is deactivated: its token is neither served nor refreshed.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record PlatformClient(
    int Id, string ClientId, string RedirectUri, string Provider, bool IsActive, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A branch of a client (<c>GET /branches?client_id=</c>).</summary>
/// <param name="Id">The branch's numeric id.</param>
/// <param name="BranchId">The branch's own id.</param>
/// <param name="ClientId">The numeric id of its client.</param>
/// <param name="BranchName">Its name.</param>
/// <param name="Email">Its e-mail address.</param>
/// <param name="Description">A description.</param>
/// <param name="AccountId">The provider's account id.</param>
/// <param name="LocationId">The provider's location id.</param>
/// <param name="IsActive">Whether it is active.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record PlatformBranch(
    int Id, string BranchId, int ClientId, string? BranchName, string? Email, string? Description, string? AccountId,
    string? LocationId, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
