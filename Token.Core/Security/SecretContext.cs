using System.Text;

namespace Token.Core.Security;

/// <summary>Where a secret lives: associated data that binds a ciphertext to one row and one kind of value.</summary>
public readonly record struct SecretContext(string Table, string Row, string Kind)
{
    public static SecretContext AccessToken(int clientId) => new("tokens", clientId.ToString(), "access_token");
    public static SecretContext RefreshToken(int clientId) => new("tokens", clientId.ToString(), "refresh_token");
    public static SecretContext ClientSecret(string clientId) => new("clients", clientId, "client_secret");
    public static SecretContext CodeVerifier(string stateHash) => new("oauth_states", stateHash, "code_verifier");
    public static SecretContext WebhookSecret(Guid webhookId) => new("webhooks", webhookId.ToString(), "secret");

    public byte[] AssociatedData => Encoding.UTF8.GetBytes($"tokenplatform/{Table}/{Row}/{Kind}");
}
