namespace Token.Core.Data;

// The legacy service's tables (clients, branches, tokens, oauth_states) keep their names and fields so its callers
// carry over; providers, api_keys and outbox are new. Secret values (client secret, tokens, PKCE verifier) are
// stored only as ciphertext (see Security/SecretProtector).

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

/// <summary>The client's current grant: one row per client, replaced when the owner consents again.</summary>
public sealed class OAuthToken
{
    public int Id { get; set; }
    public int ClientId { get; set; }
    public required byte[] AccessToken { get; set; }
    public byte[]? RefreshToken { get; set; }
    public string TokenType { get; set; } = "Bearer";
    public string? Scope { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsValid { get; set; } = true;
    public bool IsRevoked { get; set; }
    /// <summary>Grows with every change of the grant; events carry it so subscribers can drop stale ones.</summary>
    public long Version { get; set; }
    public DateTimeOffset? LastRefreshedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When a refresher should next look at this token: before expiry, for keep-alive, or after a backoff.</summary>
    public DateTimeOffset RefreshDueAt { get; set; }
    /// <summary>Which process is refreshing the token, until when; nobody else calls the provider for it meanwhile.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>Passing failures since the last successful refresh; they set the backoff.</summary>
    public int FailureCount { get; set; }
    /// <summary>The provider's error code of the last failed refresh (never its description: it may echo input).</summary>
    public string? LastError { get; set; }
}

/// <summary>One authorization request in flight: single use, bound to its client, expires after 10 minutes.</summary>
public sealed class OAuthState
{
    public int Id { get; set; }
    /// <summary>SHA-256 of the state value; the value itself only travels through the browser.</summary>
    public required string State { get; set; }
    public int ClientId { get; set; }
    public required byte[] CodeVerifier { get; set; }
    /// <summary>SHA-256 of the single-use login ticket that lets a browser start this request.</summary>
    public required string LoginTicket { get; set; }
    public bool LoginTicketUsed { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsUsed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

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

/// <summary>An event written in the same transaction as the change it announces, relayed to RabbitMQ later.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public required string MessageType { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
