using Token.Core.Data;
using Token.Core.Providers;
using Token.Core.Security;

namespace Token.Api.Features.OAuth;

public sealed class AuthorizationRequests(SecretProtector protector, TimeProvider time)
{
    /// <summary>How long a consent link, its state and its login ticket stay usable.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public DateTimeOffset NewExpiry() => time.GetUtcNow() + Lifetime;

    public AuthorizationRequest Create(Client client, ProviderDefinition provider)
    {
        var state = RandomValues.New();
        var stateHash = RandomValues.Hash(state);
        var verifier = Pkce.NewVerifier();
        return new AuthorizationRequest(
            state, stateHash, protector.Protect(verifier, SecretContext.CodeVerifier(stateHash)),
            OAuthProviderClient.AuthorizationUrl(
                provider, client.ClientId, client.RedirectUri, state, Pkce.CodeChallenge(verifier)));
    }
}
