namespace Token.Core.Data;

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
    /// <summary>
    /// SHA-256 of the cookie value given to the browser that spent the login ticket: only that browser may complete
    /// the request. Null until the ticket is spent, and on rows made before the binding existed.
    /// </summary>
    public string? BrowserBinding { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool IsUsed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
