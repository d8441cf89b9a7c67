using Token.Core.Data;
using Token.Core.Providers;

namespace Token.Api.Features.OAuth;

/// <summary>An authorization request whose login ticket is valid, with its client and the client's provider.</summary>
public sealed record PendingLogin(OAuthState Request, Client Client, ProviderDefinition Provider);
