namespace TokenPlatform.Sandbox.OAuth;

/// <summary>The sandbox's OAuth 2.0 endpoints, in one place for OpenIddict, the routes and the middleware.</summary>
public static class SandboxPaths
{
    public const string Authorize = "/connect/authorize";
    public const string Token = "/connect/token";
    public const string Revoke = "/connect/revoke";
    public const string Introspect = "/connect/introspect";
    public const string TokenInfo = "/tokeninfo";

    /// <summary>OpenIddict takes endpoint URIs relative to the issuer, without the leading slash.</summary>
    public static string Relative(string path) => path.TrimStart('/');
}
