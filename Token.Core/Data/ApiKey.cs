namespace Token.Core.Data;

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the key; the key itself is shown once, when it is created.</summary>
    public required string KeyHash { get; set; }
    public required string Prefix { get; set; }
    public List<string> Scopes { get; set; } = [];
    /// <summary>When set, the key works only for these clients.</summary>
    public List<int>? ClientIds { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
