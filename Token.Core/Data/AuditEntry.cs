namespace Token.Core.Data;

/// <summary>
/// One admin change: who made it, what it changed, when and from where. Written in the transaction of the change
/// itself; it names the fields that changed, never their values.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>Grows with every entry: the newest-first order and the paging cursor.</summary>
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The id of the caller's API key, or the fixed name of the bootstrap admin key.</summary>
    public required string Actor { get; set; }
    /// <summary>The caller's address as token-api saw it (the gateway forwards the client's).</summary>
    public string? ClientAddress { get; set; }
    /// <summary>What was done, e.g. <c>provider.updated</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What it was done to: a client's or branch's id, a provider's name, an API key's id.</summary>
    public string? Target { get; set; }
    /// <summary>The names of the fields the change set, as the API spells them.</summary>
    public List<string> ChangedFields { get; set; } = [];
    /// <summary>The request's trace, to find its span and the other entries it wrote.</summary>
    public string? TraceId { get; set; }
}
