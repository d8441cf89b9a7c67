namespace Token.Api.Auth;

public sealed class ApiKeyOptions
{
    public const string Scheme = "ApiKey";
    public const string Header = "X-API-Key";

    /// <summary>
    /// The bootstrap admin key (Aspire secret parameter <c>admin-api-key</c>); never stored in the database.
    /// </summary>
    public string? AdminApiKey { get; set; }

    /// <summary>
    /// How long a key lookup is reused; also how long a deleted key may keep working on other instances.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
