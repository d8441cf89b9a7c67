namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// What a client sent to <c>/connect/token</c> or <c>/connect/revoke</c>: enough for a test to assert on, and
/// deliberately never the secret, code, token or verifier itself.
/// </summary>
/// <param name="ClientAuthentication"><c>client_secret_basic</c>, <c>client_secret_post</c> or <c>none</c>.</param>
public sealed record RecordedRequest(
    string Endpoint,
    string? GrantType,
    string? ClientId,
    string ClientAuthentication,
    bool HasCodeVerifier,
    int CodeVerifierLength,
    DateTimeOffset At);
