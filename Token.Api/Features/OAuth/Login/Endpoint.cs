using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Api.Features.OAuth.Login;

/// <summary>
/// <c>GET /oauth/login/{client_id}?ticket=…</c>: sends the business owner's browser to the provider's consent page.
/// The single-use ticket from <c>/oauth/start</c> is what stops a stranger from attaching their own account to
/// someone else's client. The request gets a new state and verifier here, so the link works exactly once.
/// </summary>
public sealed partial class Endpoint(
    TokenDbContext db, ProviderCatalog providers, AuthorizationRequests requests, TimeProvider time) : Endpoint<Request>
{
    public override void Configure()
    {
        Get("/oauth/login/{client_id}");
        Group<BrowserEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Ticket))
        {
            await BrowserAnswer.FailAsync(HttpContext, StatusCodes.Status400BadRequest, "Login link incomplete",
                "This link has no login ticket. Ask for a new link: it is created with /oauth/start.");
            return;
        }

        var ticketHash = RandomValues.Hash(request.Ticket);
        var pending = await db.OAuthStates.AsNoTracking().FirstOrDefaultAsync(s => s.LoginTicket == ticketHash, ct);
        var client = pending is null
            ? null
            : await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == pending.ClientId, ct);
        var provider = client is null ? null : await providers.FindAsync(client.Provider, ct);
        if (pending is null || client is null || provider is null || pending.ClientId != request.ClientId
            || pending.LoginTicketUsed || pending.IsUsed || pending.ExpiresAt <= time.GetUtcNow())
        {
            await BrowserAnswer.FailAsync(HttpContext, StatusCodes.Status400BadRequest, "Login link not valid",
                "This login link was already used, has expired or belongs to another client. Ask for a new link.");
            return;
        }
        if (!client.IsActive)
        {
            // The link was made while the client was active; deactivation stops every link still in flight.
            await BrowserAnswer.FailAsync(HttpContext, StatusCodes.Status400BadRequest, "Client deactivated",
                "This client is deactivated, so it cannot be connected now. Ask for a new link once it is active.");
            return;
        }

        var authorization = requests.Create(client, provider);
        var claimed = await db.OAuthStates
            .Where(s => s.Id == pending.Id && !s.LoginTicketUsed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LoginTicketUsed, true)
                .SetProperty(x => x.State, authorization.StateHash)
                .SetProperty(x => x.CodeVerifier, authorization.ProtectedVerifier), ct);
        if (claimed == 0)
        {
            await BrowserAnswer.FailAsync(
                HttpContext, StatusCodes.Status400BadRequest, "Login link not valid",
                "This login link was already used.");
            return;
        }

        LogOpened(client.Id, HttpContext.Connection.RemoteIpAddress?.ToString());
        await Send.RedirectAsync(authorization.AuthorizationUrl, isPermanent: false, allowRemoteRedirects: true);
    }

    // Who attached an account to a client: the address the gateway saw, whatever headers the browser sent.
    [LoggerMessage(LogLevel.Information, "Login link of client {ClientId} opened from {ClientAddress}")]
    private partial void LogOpened(int clientId, string? clientAddress);
}
