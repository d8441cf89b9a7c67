using Microsoft.EntityFrameworkCore;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Api.Features.OAuth;

/// <summary>
/// The single-use ticket of a login link from <c>/oauth/start</c>: what stops a stranger from attaching their own
/// account to someone else's client. The login page and its button check it alike; only the button spends it.
/// </summary>
public sealed class LoginTickets(TokenDbContext db, ProviderCatalog providers, TimeProvider time)
{
    /// <summary>
    /// The request the ticket opens for client <paramref name="clientId"/>, or null once the refusal is answered.
    /// </summary>
    public async Task<PendingLogin?> CheckAsync(HttpContext context, int clientId, string? ticket, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(ticket))
        {
            await BrowserAnswer.FailAsync(context, StatusCodes.Status400BadRequest, "Login link incomplete",
                "This link has no login ticket. Ask for a new link: it is created with /oauth/start.");
            return null;
        }

        var ticketHash = RandomValues.Hash(ticket);
        var pending = await db.OAuthStates.AsNoTracking().FirstOrDefaultAsync(s => s.LoginTicket == ticketHash, ct);
        var client = pending is null
            ? null
            : await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == pending.ClientId, ct);
        var provider = client is null ? null : await providers.FindAsync(client.Provider, ct);
        if (pending is null || client is null || provider is null || pending.ClientId != clientId
            || pending.LoginTicketUsed || pending.IsUsed || pending.ExpiresAt <= time.GetUtcNow())
        {
            await RefuseAsync(context,
                "This login link was already used, has expired or belongs to another client. Ask for a new link.");
            return null;
        }
        if (!client.IsActive)
        {
            // The link was made while the client was active; deactivation stops every link still in flight.
            await BrowserAnswer.FailAsync(context, StatusCodes.Status400BadRequest, "Client deactivated",
                "This client is deactivated, so it cannot be connected now. Ask for a new link once it is active.");
            return null;
        }
        return new PendingLogin(pending, client, provider);
    }

    public static Task RefuseAsync(HttpContext context, string detail) =>
        BrowserAnswer.FailAsync(context, StatusCodes.Status400BadRequest, "Login link not valid", detail);
}
