using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Token.Api.EndpointRules;
using Token.Api.Features.Tokens;
using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace Token.Api.Features.OAuth.Callback;

/// <summary>
/// <c>GET /auth/callback</c>: where the provider sends the owner back. The state must be one we issued, unused and
/// unexpired, and the browser must hold the request's binding cookie (<see cref="BrowserBinding"/>), all checked
/// before the provider is called; the code is exchanged once, with the PKCE verifier.
/// </summary>
public sealed partial class Endpoint(
    TokenDbContext db, ProviderCatalog providers, OAuthProviderClient oauth, SecretProtector protector,
    GrantStore grants, TokenCache cache, ConsentMetrics metrics,
    TimeProvider time) : Endpoint<Request>
{
    public override void Configure()
    {
        Get("/auth/callback");
        Group<BrowserEndpoints>();
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.State))
        {
            await FailAsync("The provider's answer carries no state.");
            return;
        }

        var stateHash = RandomValues.Hash(request.State);
        // Whatever this answer is, the cookie has served: on success the request is done, on a refusal it is wrong.
        BrowserBinding.Forget(HttpContext, stateHash);
        var pending = await db.OAuthStates.AsNoTracking().FirstOrDefaultAsync(s => s.State == stateHash, ct);
        if (pending is null || pending.IsUsed || pending.ExpiresAt <= time.GetUtcNow())
        {
            await FailAsync(pending is null ? "This authorization was not started here." :
                pending.IsUsed ? "This authorization was already completed." : "This authorization has expired; " +
                    "start again.");
            return;
        }
        // Before the state is spent, and before an error from the provider is believed: a browser without the
        // cookie is not the one the owner started in, and leaves the request for that one to complete.
        var binding = BrowserBinding.Check(HttpContext.Request, stateHash, pending.BrowserBinding);
        if (binding != BrowserBindingCheck.Bound)
        {
            LogNotBound(pending.ClientId, ConsentMetrics.Reason(binding));
            metrics.Refused(binding);
            await FailAsync("This authorization was started in another browser, or this browser did not keep its " +
                "cookie. Finish it in the browser where you pressed Continue, or ask for a new login link.");
            return;
        }
        // Claimed atomically: of two callbacks with the same state, one wins.
        var claimed = await db.OAuthStates
            .Where(s => s.Id == pending.Id && !s.IsUsed)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.IsUsed, true), ct);
        if (claimed == 0)
        {
            await FailAsync("This authorization was already completed.");
            return;
        }

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == pending.ClientId, ct);
        if (!client.IsActive)
        {
            // Deactivated while the owner was at the provider: the code is not exchanged, so no grant is stored.
            await FailAsync(
                "This client is deactivated, so it cannot be connected now; start again once it is active.");
            return;
        }

        if (!string.IsNullOrEmpty(request.Error))
        {
            LogProviderRefused(pending.ClientId, request.Error);
            await FailAsync(
                $"The provider did not grant access: " +
                $"{request.Error}{(request.ErrorDescription is { Length: > 0 } d ? $" ({d})" : "")}.");
            return;
        }
        if (string.IsNullOrEmpty(request.Code))
        {
            await FailAsync("The provider's answer carries no authorization code.");
            return;
        }

        var provider = await providers.FindAsync(client.Provider, ct);
        if (provider is null)
        {
            await FailAsync(
                $"The client's provider '{client.Provider}' no longer exists.", StatusCodes.Status409Conflict);
            return;
        }

        var result = await oauth.ExchangeCodeAsync(
            provider, client.ClientId,
            protector.Unprotect(client.ClientSecret, SecretContext.ClientSecret(client.ClientId)), request.Code,
            client.RedirectUri, protector.Unprotect(pending.CodeVerifier, SecretContext.CodeVerifier(stateHash)), ct);
        if (result.Error is { } error)
        {
            // One answer whether the provider refused or could not be reached, and none of its words: otherwise
            // whoever registers a provider could map the internal network through this page. The log says which.
            LogExchangeFailed(client.Id, error.Error, error.StatusCode);
            await FailAsync("The provider did not complete the authorization; start again later.",
                StatusCodes.Status502BadGateway);
            return;
        }

        var token = await grants.StoreIssuedAsync(client.Id, result.Tokens!, ct);
        cache.Forget(client.Id);
        LogConnected(client.Id, token.Version);

        if (BrowserAnswer.WantsJson(HttpContext.Request))
        {
            await Send.OkAsync(
                new Response(client.Id, "connected", token.TokenType, token.ExpiresAt, token.Version), ct);
            return;
        }
        await BrowserAnswer.WritePageAsync(HttpContext, "Connected",
            $"Access for client {client.ClientId} is granted. You can close this window.", success: true);
    }

    private Task FailAsync(string detail, int status = StatusCodes.Status400BadRequest) =>
        BrowserAnswer.FailAsync(HttpContext, status, "Authorization failed", detail);

    [LoggerMessage(LogLevel.Information, "Client {ClientId} is connected; token version {TokenVersion}")]
    private partial void LogConnected(int clientId, long tokenVersion);

    [LoggerMessage(LogLevel.Warning,
        "A callback for client {ClientId} was refused: the browser is not the one the consent started in ({Reason})")]
    private partial void LogNotBound(int clientId, string reason);

    [LoggerMessage(LogLevel.Warning, "The provider refused consent for client {ClientId}: {ProviderError}")]
    private partial void LogProviderRefused(int clientId, string providerError);

    [LoggerMessage(
        LogLevel.Warning,
        "The code exchange for client {ClientId} failed: {ProviderError} (HTTP {StatusCode})")]
    private partial void LogExchangeFailed(int clientId, string providerError, int? statusCode);
}
