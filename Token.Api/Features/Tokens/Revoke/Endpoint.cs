using FastEndpoints;
using Token.Api.Audit;
using Token.Api.EndpointRules;
using Token.Core.Tokens;

namespace Token.Api.Features.Tokens.Revoke;

/// <summary><c>DELETE /tokens/{client_id}</c>: revokes the grant at the provider (RFC 7009) and here.</summary>
public sealed class Endpoint(TokenLifecycle lifecycle, TokenCache cache, AuditTrail audit)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Delete("/tokens/{client_id}");
        Group<AdminEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        // Recorded first: the revocation saves it in its own transaction, and drops it when there is no grant.
        audit.Record(AuditAction.TokenRevoked, request.ClientId);
        var confirmed = await lifecycle.RevokeAsync(request.ClientId, ct);
        cache.Forget(request.ClientId);
        if (confirmed is null)
        {
            ThrowError($"Client {request.ClientId} has no token.", StatusCodes.Status404NotFound);
        }
        await Send.OkAsync(new Response(request.ClientId, true, confirmed.Value), ct);
    }
}
