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

    /// <summary>
    /// How many unknown keys are remembered (for <see cref="CacheDuration"/>) so that repeating one costs no lookup;
    /// beyond it each is looked up. Bounds the memory a flood of made-up keys can take.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int MaxRememberedUnknownKeys { get; set; } = 10_000;
}
