namespace Token.Core.Data;

// The seed service's four tables, kept under their names so its data and callers carry over.
// Secret values (client secret, tokens, PKCE verifier) are stored only as ciphertext.

public sealed class Client
{
    public int Id { get; set; }
    public required string ClientId { get; set; }
    public byte[]? ClientSecret { get; set; }
    public required string RedirectUri { get; set; }
    public string Provider { get; set; } = "google";
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<Branch> Branches { get; } = [];
    public List<OAuthToken> Tokens { get; } = [];
    public List<OAuthState> States { get; } = [];
}

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

public sealed class OAuthToken
{
    public int Id { get; set; }
    public int ClientId { get; set; }
    public required byte[] AccessToken { get; set; }
    public byte[]? RefreshToken { get; set; }
    public string TokenType { get; set; } = "Bearer";
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsValid { get; set; } = true;
    public bool IsRevoked { get; set; }
    public DateTimeOffset? LastRefreshedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class OAuthState
{
    public int Id { get; set; }
    public required string State { get; set; }
    public int ClientId { get; set; }
    public byte[]? CodeVerifier { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsUsed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
