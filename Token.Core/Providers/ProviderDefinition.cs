namespace Token.Core.Providers;

/// <summary>An OAuth 2.0 provider as the platform uses it; field names follow RFC 8414 server metadata.</summary>
public sealed record ProviderDefinition(
    string Name,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string? RevocationEndpoint,
    IReadOnlyList<string> Scopes,
    IReadOnlyDictionary<string, string> AuthorizationParameters,
    string TokenEndpointAuthMethod,
    bool BuiltIn)
{
    public const string ClientSecretPost = "client_secret_post";
    public const string ClientSecretBasic = "client_secret_basic";
    public const string GoogleScope = "https://www.googleapis.com/auth/business.manage";

    public static ProviderDefinition Google { get; } = new(
        "google",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://oauth2.googleapis.com/revoke",
        [GoogleScope],
        // Without these Google issues no refresh token, or none on a second consent.
        new Dictionary<string, string> { ["access_type"] = "offline", ["prompt"] = "consent" },
        ClientSecretPost,
        BuiltIn: true);

    /// <summary>The development OAuth server (TokenPlatform.Sandbox) at <paramref name="baseUrl"/>.</summary>
    public static ProviderDefinition Sandbox(string baseUrl)
    {
        var root = baseUrl.TrimEnd('/');
        return new("sandbox", $"{root}/connect/authorize", $"{root}/connect/token", $"{root}/connect/revoke",
            [GoogleScope], new Dictionary<string, string>(), ClientSecretPost, BuiltIn: true);
    }
}
