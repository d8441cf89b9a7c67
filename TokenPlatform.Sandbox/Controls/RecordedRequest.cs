namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// What a client sent to <c>/connect/token</c>, <c>/connect/revoke</c> or the reviews resource: enough for a test to
/// assert on, and deliberately never the secret, code, token or verifier itself.
/// </summary>
/// <param name="Endpoint"><c>token</c>, <c>revoke</c> or <c>reviews</c>.</param>
/// <param name="ClientId">On the resource, the client the access token was issued to (null when it is not valid).</param>
/// <param name="ClientAuthentication">
/// <c>client_secret_basic</c>, <c>client_secret_post</c> or <c>none</c>; on the resource <c>bearer</c> or <c>none</c>.
/// </param>
/// <param name="TokenSha256">
/// On the resource, the SHA-256 (hex) of the bearer token sent, so a test can tell which token it was.
/// </param>
public sealed record RecordedRequest(
    string Endpoint,
    string? GrantType,
    string? ClientId,
    string ClientAuthentication,
    bool HasCodeVerifier,
    int CodeVerifierLength,
    DateTimeOffset At,
    string? TokenSha256 = null);
