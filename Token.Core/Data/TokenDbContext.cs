using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Token.Core.Data;

/// <summary>
/// The legacy service's tables (clients, branches, tokens, oauth_states) keep their names and fields so its callers
/// carry over; providers, api_keys, outbox, audit_entries and the webhook tables are new. Secret values are stored
/// only as ciphertext (<see cref="Security.SecretProtector"/>).
/// </summary>
public sealed class TokenDbContext(DbContextOptions<TokenDbContext> options) : DbContext(options)
{
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Branch> Branches => Set<Branch>();
    public DbSet<OAuthToken> Tokens => Set<OAuthToken>();
    public DbSet<OAuthState> OAuthStates => Set<OAuthState>();
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasIndex(c => c.ClientId).IsUnique();
            client.Property(c => c.Provider).HasDefaultValue("google");
            client.HasMany(c => c.Branches).WithOne().HasForeignKey(b => b.ClientId).OnDelete(DeleteBehavior.Cascade);
            client.HasMany<OAuthToken>().WithOne().HasForeignKey(t => t.ClientId).OnDelete(DeleteBehavior.Cascade);
            client.HasMany<OAuthState>().WithOne().HasForeignKey(s => s.ClientId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Branch>(branch =>
        {
            branch.ToTable("branches");
            branch.HasIndex(b => b.BranchId).IsUnique();
            branch.HasIndex(b => b.LocationId);
        });

        modelBuilder.Entity<OAuthToken>(token =>
        {
            token.ToTable("tokens");
            token.HasIndex(t => t.ClientId).IsUnique();
            // Find the tokens due for refresh without scanning revoked, dead or paused grants, and the expired ones
            // without scanning revoked or dead ones: a refresh cycle costs what is due, not what is stored.
            token.HasIndex(t => t.RefreshDueAt)
                .HasFilter("is_valid AND NOT is_revoked AND refresh_paused_reason IS NULL");
            token.HasIndex(t => t.ExpiresAt).HasFilter("is_valid AND NOT is_revoked");
            // The refreshes sent and not yet stored, among them the interrupted ones a refresher takes over.
            token.HasIndex(t => t.RefreshAttemptedAt).HasFilter("refresh_attempted_at IS NOT NULL");
            // The fencing token: every write of a refresh's result compares the version it started from.
            token.Property(t => t.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<OAuthState>(state =>
        {
            state.ToTable("oauth_states");
            state.HasIndex(s => s.State).IsUnique();
            state.HasIndex(s => s.LoginTicket).IsUnique();
        });

        modelBuilder.Entity<Provider>(provider =>
        {
            provider.ToTable("providers");
            provider.HasIndex(p => p.Name).IsUnique();
            provider.Property(p => p.AuthorizationParameters)
                .HasColumnType("jsonb")
                .HasConversion(
                    parameters => JsonSerializer.Serialize(parameters, JsonSerializerOptions.Default),
                    json =>
                        JsonSerializer.Deserialize<Dictionary<string, string>>(
                            json, JsonSerializerOptions.Default) ?? new(),
                    new ValueComparer<Dictionary<string, string>>(
                        (left, right) => left!.Count == right!.Count && !left.Except(right).Any(),
                        parameters =>
                            parameters.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                        parameters => new Dictionary<string, string>(parameters)));
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasIndex(k => k.KeyHash).IsUnique();
        });

        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("outbox");
            message.Property(m => m.Payload).HasColumnType("jsonb");
            message.HasIndex(m => m.CreatedAt);
        });

        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries");
            // The filters of GET /admin/audit, each read newest first.
            entry.HasIndex(e => new { e.Action, e.Id });
            entry.HasIndex(e => new { e.Target, e.Id });
        });

        modelBuilder.Entity<Webhook>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.HasMany<WebhookDelivery>().WithOne().HasForeignKey(d => d.WebhookId)
                .OnDelete(DeleteBehavior.Cascade);
            webhook.HasMany<WebhookAttempt>().WithOne().HasForeignKey(a => a.WebhookId)
                .OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.Property(d => d.Payload).HasColumnType("jsonb");
            delivery.Property(d => d.Status).HasConversion<string>();
            delivery.HasIndex(d => new { d.WebhookId, d.EventId }).IsUnique();
            // The worker's claim looks only at what is still to be sent.
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'Pending'");
        });

        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("webhook_attempts");
            attempt.HasIndex(a => new { a.WebhookId, a.Id });
        });
    }
}
