namespace Token.Api.Features.OAuth.Start;

/// <summary>
/// <c>login_url</c> is the link to give the business owner: it works once, for this client only, expires with the
/// request, and binds the consent to the browser that uses it. <c>authorization_url</c>, which the legacy service's
/// callers redirect their user to, is the same link: a provider URL handed to a caller could not be bound to a browser.
/// </summary>
public sealed record Response(
    int ClientId, string Provider, string AuthorizationUrl, string LoginUrl, DateTimeOffset ExpiresAt);
