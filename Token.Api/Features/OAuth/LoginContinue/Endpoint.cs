using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Features.OAuth.LoginContinue;

/// <summary>
/// <c>POST /oauth/login/{client_id}</c> (form field <c>ticket</c>): the login page's button. Spends the ticket, gives
/// the request a new state and verifier, binds it to this browser (<see cref="BrowserBinding"/>) and sends the
/// browser to the provider's consent page, so the link works exactly once and only this browser can complete it.
/// </summary>
public sealed partial class Endpoint(
    TokenDbContext db, LoginTickets tickets, AuthorizationRequests requests, TimeProvider time)
    : Endpoint<Login.Request>
{
    public override void Configure()
    {
        Post("/oauth/login/{client_id}");
        AllowFormData(urlEncoded: true);
        Group<BrowserEndpoints>();
    }

    public override async Task HandleAsync(Login.Request request, CancellationToken ct)
    {
        if (await tickets.CheckAsync(HttpContext, request.ClientId, request.Ticket, ct) is not { } login)
        {
            return;
        }

        var authorization = requests.Create(login.Client, login.Provider);
        var binding = RandomValues.New();
        var claimed = await db.OAuthStates
            .Where(s => s.Id == login.Request.Id && !s.LoginTicketUsed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LoginTicketUsed, true)
                .SetProperty(x => x.State, authorization.StateHash)
                .SetProperty(x => x.CodeVerifier, authorization.ProtectedVerifier)
                .SetProperty(x => x.BrowserBinding, RandomValues.Hash(binding)), ct);
        if (claimed == 0)
        {
            await LoginTickets.RefuseAsync(HttpContext, "This login link was already used.");
            return;
        }

        LogOpened(login.Client.Id, HttpContext.Connection.RemoteIpAddress?.ToString());
        BrowserBinding.Set(
            HttpContext.Response, authorization.StateHash, binding, login.Request.ExpiresAt - time.GetUtcNow());
        HttpContext.Response.Headers.CacheControl = "no-store";
        HttpContext.Response.Headers.Location = authorization.AuthorizationUrl;
        // 303: the browser follows with a GET whatever method led here (RFC 9110 §15.4.4).
        await Send.StatusCodeAsync(StatusCodes.Status303SeeOther, ct);
    }

    // Who attached an account to a client: the address the gateway saw, whatever headers the browser sent.
    [LoggerMessage(LogLevel.Information, "Login link of client {ClientId} opened from {ClientAddress}")]
    private partial void LogOpened(int clientId, string? clientAddress);
}
