using Token.Core.Data;

namespace Token.Api.Features.Clients;

/// <summary>A client as callers see it: never its secret.</summary>
public sealed record ClientResponse(
    int Id, string ClientId, string RedirectUri, string Provider, bool IsActive, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ClientResponse From(Client client) =>
        new(
            client.Id, client.ClientId, client.RedirectUri, client.Provider, client.IsActive, client.CreatedAt,
            client.UpdatedAt);
}
