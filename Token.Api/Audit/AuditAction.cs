namespace Token.Api.Audit;

/// <summary>What an admin change did; the audit trail stores it as its tag, e.g. <c>client.updated</c>.</summary>
public enum AuditAction
{
    ClientCreated,
    ClientUpdated,
    ClientDeleted,
    BranchCreated,
    BranchUpdated,
    BranchDeleted,
    ProviderCreated,
    ProviderUpdated,
    ProviderDeleted,
    ApiKeyCreated,
    ApiKeyDeleted,

    /// <summary>A client's grant was revoked: by <c>DELETE /tokens/{client_id}</c> or by a provider change.</summary>
    TokenRevoked,

    /// <summary>A login link for the business owner's consent was made (<c>/oauth/start</c>).</summary>
    ConsentStarted,

    /// <summary>Stored secrets were re-encrypted under the newest key.</summary>
    EncryptionRotated,

    WebhookCreated,
    WebhookUpdated,
    WebhookDeleted,
    WebhookSecretRotated
}
