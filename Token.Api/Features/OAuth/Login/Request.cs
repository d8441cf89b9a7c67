using FastEndpoints;

namespace Token.Api.Features.OAuth.Login;

/// <summary>The login link's client and ticket: the ticket from the query (the page) or a form (its button).</summary>
public sealed record Request([property: BindFrom("client_id")] int ClientId, string? Ticket);
