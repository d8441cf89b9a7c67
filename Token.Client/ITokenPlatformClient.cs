namespace Token.Client;

/// <summary>
/// The platform's API for a service that calls providers' APIs on its clients' behalf. Registered as a singleton by
/// <c>AddTokenPlatformClient</c>; every method throws <see cref="TokenPlatformException"/> when the platform answers
/// with an error.
/// </summary>
public interface ITokenPlatformClient
{
    /// <summary>
    /// An access token of the client that is valid now: from memory until its expiry minus
    /// <see cref="TokenPlatformClientOptions.RefreshMargin"/>, else from the platform (one request for all callers
    /// that ask for the same client meanwhile).
    /// </summary>
    /// <exception cref="TokenUnavailableException">The platform has no usable token for the client.</exception>
    Task<string> GetAccessTokenAsync(int clientId, CancellationToken ct = default);

    /// <summary>
    /// The client's token as <see cref="GetAccessTokenAsync"/> finds it, with its version; when there is none,
    /// <see cref="PlatformToken.IsValid"/> is false and <see cref="PlatformToken.Reason"/> says why.
    /// </summary>
    Task<PlatformToken> GetTokenAsync(int clientId, CancellationToken ct = default);

    /// <summary>
    /// Has the platform refresh the client's token now (<c>POST /tokens/refresh</c>) and keeps the answer instead of
    /// the token held in memory. Name the version a provider refused as <paramref name="afterVersion"/>: when the
    /// platform has a newer token already, that one is the answer, without a call to the provider.
    /// </summary>
    Task<PlatformToken> RefreshAsync(int clientId, long? afterVersion = null, CancellationToken ct = default);

    /// <summary>The client with this numeric id (an <c>admin</c> key).</summary>
    Task<PlatformClient> GetClientAsync(int id, CancellationToken ct = default);

    /// <summary>The client's branches (an <c>admin</c> key).</summary>
    Task<IReadOnlyList<PlatformBranch>> GetBranchesAsync(int clientId, CancellationToken ct = default);

    /// <summary>Every branch of every client (an <c>admin</c> key), e.g. for a service that visits them all.</summary>
    Task<IReadOnlyList<PlatformBranch>> GetAllBranchesAsync(CancellationToken ct = default);
}
