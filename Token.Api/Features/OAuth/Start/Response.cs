namespace Token.Api.Features.OAuth.Start;

/// <summary>
/// <c>authorization_url</c> is the provider's consent page for this request; <c>login_url</c> is the link to give the
/// business owner: it works once, for this client only, and expires with the request.
/// </summary>
public sealed record Response(
    int ClientId, string Provider, string AuthorizationUrl, string LoginUrl, DateTimeOffset ExpiresAt);
