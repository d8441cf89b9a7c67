namespace Token.Api.Audit;

public static class AuditActionExtensions
{
    /// <summary>Every action, for checking a filter against.</summary>
    public static readonly IReadOnlyList<AuditAction> All = Enum.GetValues<AuditAction>();

    /// <summary>The name the audit trail stores and filters by.</summary>
    public static string ToTag(this AuditAction action) => action switch
    {
        AuditAction.ClientCreated => "client.created",
        AuditAction.ClientUpdated => "client.updated",
        AuditAction.ClientDeleted => "client.deleted",
        AuditAction.BranchCreated => "branch.created",
        AuditAction.BranchUpdated => "branch.updated",
        AuditAction.BranchDeleted => "branch.deleted",
        AuditAction.ProviderCreated => "provider.created",
        AuditAction.ProviderUpdated => "provider.updated",
        AuditAction.ProviderDeleted => "provider.deleted",
        AuditAction.ApiKeyCreated => "api_key.created",
        AuditAction.ApiKeyDeleted => "api_key.deleted",
        AuditAction.TokenRevoked => "token.revoked",
        AuditAction.ConsentStarted => "consent.started",
        AuditAction.EncryptionRotated => "encryption.rotated",
        AuditAction.WebhookCreated => "webhook.created",
        AuditAction.WebhookUpdated => "webhook.updated",
        AuditAction.WebhookDeleted => "webhook.deleted",
        AuditAction.WebhookSecretRotated => "webhook.secret_rotated",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Not an audit action.")
    };
}
