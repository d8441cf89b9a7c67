namespace Token.Core.Data;

public sealed class Client
{
    public int Id { get; set; }
    public required string ClientId { get; set; }
    public required byte[] ClientSecret { get; set; }
    public required string RedirectUri { get; set; }
    public string Provider { get; set; } = "google";
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<Branch> Branches { get; } = [];
}
