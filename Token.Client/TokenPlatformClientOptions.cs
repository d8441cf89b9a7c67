namespace Token.Client;

/// <summary>Where the platform is and how this service calls it (<c>AddTokenPlatformClient</c>).</summary>
public sealed class TokenPlatformClientOptions
{
    /// <summary>
    /// The gateway's URL, e.g. <c>http://localhost:8002</c>. In an app that uses Aspire service discovery
    /// (<c>AddServiceDiscovery()</c> with its handler on every HttpClient), a service name such as
    /// <c>https+http://token-gateway</c> works too: it is the HttpClient's base address as it is, and service
    /// discovery resolves it.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The API key sent as <c>X-API-Key</c>: <c>tokens:read</c> for tokens, <c>admin</c> for clients and branches.
    /// </summary>
    public string ApiKey { get; set; } = "";

    /// <summary>How long before its expiry a cached token is no longer handed out, but fetched again (60 s).</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromSeconds(60);
}
