namespace Token.Api.Features.OAuth;

/// <summary>A fresh state and PKCE verifier for one authorization request (RFC 9700 §2.1.1, RFC 7636).</summary>
public sealed record AuthorizationRequest(
    string State, string StateHash, byte[] ProtectedVerifier, string AuthorizationUrl);
