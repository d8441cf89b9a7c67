namespace Token.Core.Data;

public sealed class Branch
{
    public int Id { get; set; }
    public required string BranchId { get; set; }
    public int ClientId { get; set; }
    public string? BranchName { get; set; }
    public string? Email { get; set; }
    public string? Description { get; set; }
    public string? AccountId { get; set; }
    public string? LocationId { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
