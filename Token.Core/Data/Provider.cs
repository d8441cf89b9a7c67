namespace Token.Core.Data;

/// <summary>An OAuth 2.0 provider registered by an admin (the built-in ones are not stored).</summary>
public sealed class Provider
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string AuthorizationEndpoint { get; set; }
    public required string TokenEndpoint { get; set; }
    public string? RevocationEndpoint { get; set; }
    public List<string> Scopes { get; set; } = [];
    public Dictionary<string, string> AuthorizationParameters { get; set; } = [];
    public string TokenEndpointAuthMethod { get; set; } = "client_secret_post";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
