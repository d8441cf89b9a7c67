namespace Token.Api.Infrastructure;

/// <summary>
/// Where browsers and providers reach this API from outside (the gateway), for login links and redirects.
/// </summary>
public sealed class PublicUrlOptions
{
    public string BaseUrl { get; set; } = "http://localhost:8002";
}
