using FastEndpoints;
using Token.Api.Audit;
using Token.Api.Features.Tokens;
using Token.Core.Providers;
using Token.Core.Tokens;

namespace Token.Api.EndpointRules;

/// <summary>
/// A change that would send grants' tokens to another token or revocation endpoint than the one that issued them
/// (a provider's endpoints or client authentication change, or a client moves to another provider) is refused with
/// 409 while those grants live, unless the request says <c>"revoke_grants": true</c>; then it ends them
/// (docs/architecture.md, "Admin changes").
/// </summary>
public sealed class ProviderChangeGuard(ProviderChangeRevocation revocation, TokenCache cache, AuditTrail audit)
{
    /// <summary>The request field that says "end the grants", as the refusal names it.</summary>
    public const string RevokeGrantsField = "revoke_grants";

    /// <summary>
    /// Inside the change's transaction, before it is saved: refuses (409 with <paramref name="refusal"/>, given how
    /// many grants live), or ends the clients' grants and records each in the audit trail.
    /// </summary>
    public async Task<IReadOnlyList<EndedGrant>> EndGrantsAsync(
        IReadOnlyCollection<int> clientIds, bool? revokeGrants, Func<int, string> refusal, CancellationToken ct)
    {
        var live = clientIds.Count == 0 ? [] : await revocation.LockLiveGrantsAsync(clientIds, ct);
        if (live.Count == 0)
        {
            return [];
        }
        if (revokeGrants != true)
        {
            ValidationContext.Instance.ThrowError(refusal(live.Count), StatusCodes.Status409Conflict);
        }
        if (revocation.AnyBeingRefreshed(live))
        {
            ValidationContext.Instance.ThrowError(
                "A grant this change would end is being refreshed right now; try again in a minute.",
                StatusCodes.Status409Conflict);
        }

        var ended = await revocation.EndAsync(live, ct);
        foreach (var grant in ended)
        {
            audit.Record(AuditAction.TokenRevoked, grant.ClientId);
        }
        return ended;
    }

    /// <summary>
    /// Once the change is committed: drops the ended grants from memory and revokes them at their issuer, the
    /// provider as it was before the change.
    /// </summary>
    public async Task CompleteAsync(IReadOnlyList<EndedGrant> ended, ProviderDefinition? issuer, CancellationToken ct)
    {
        foreach (var grant in ended)
        {
            cache.Forget(grant.ClientId);
        }
        if (ended.Count > 0 && issuer is not null)
        {
            await revocation.RevokeAtIssuerAsync(ended, issuer, ct);
        }
    }
}
