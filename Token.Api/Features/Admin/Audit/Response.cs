using Token.Core.Data;

namespace Token.Api.Features.Admin.Audit;

/// <param name="NextBefore">The <c>before</c> of the next page; null on the last one.</param>
public sealed record Response(IReadOnlyList<Response.Entry> Entries, long? NextBefore)
{
    /// <param name="Actor">The API key's id, or <c>bootstrap-admin</c> for the bootstrap admin key.</param>
    public sealed record Entry(
        long Id, DateTimeOffset OccurredAt, string Actor, string? ClientAddress, string Action, string? Target,
        IReadOnlyList<string> ChangedFields, string? TraceId)
    {
        public static Entry From(AuditEntry e) =>
            new(e.Id, e.OccurredAt, e.Actor, e.ClientAddress, e.Action, e.Target, e.ChangedFields, e.TraceId);
    }
}
