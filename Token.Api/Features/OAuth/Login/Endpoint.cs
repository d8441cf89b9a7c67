using FastEndpoints;
using Token.Api.EndpointRules;

namespace Token.Api.Features.OAuth.Login;

/// <summary>
/// <c>GET /oauth/login/{client_id}?ticket=…</c>: the page a login link opens. It checks the ticket but does not
/// spend it: mail scanners and link previews open links too. Its button posts the ticket
/// (<see cref="LoginContinue.Endpoint"/>), which spends it.
/// </summary>
public sealed class Endpoint(LoginTickets tickets) : Endpoint<Request>
{
    public override void Configure()
    {
        Get("/oauth/login/{client_id}");
        Group<BrowserEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (await tickets.CheckAsync(HttpContext, request.ClientId, request.Ticket, ct) is not { } login)
        {
            return;
        }
        await BrowserAnswer.WriteFormPageAsync(HttpContext,
            $"Connect {login.Provider.Name} access",
            $"Client {login.Client.ClientId} asks for access to your {login.Provider.Name} account. Continue to sign " +
            $"in at {login.Provider.Name} and decide there.",
            $"/oauth/login/{login.Client.Id}", new Dictionary<string, string> { ["ticket"] = request.Ticket! },
            "Continue", new Uri(login.Provider.AuthorizationEndpoint).GetLeftPart(UriPartial.Authority));
    }
}
