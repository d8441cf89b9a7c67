using Microsoft.EntityFrameworkCore;

namespace Token.Core.Data;

public sealed class TokenDbContext(DbContextOptions<TokenDbContext> options) : DbContext(options)
{
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Branch> Branches => Set<Branch>();
    public DbSet<OAuthToken> Tokens => Set<OAuthToken>();
    public DbSet<OAuthState> OAuthStates => Set<OAuthState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasIndex(c => c.ClientId).IsUnique();
            client.Property(c => c.Provider).HasDefaultValue("google");
            client.HasMany(c => c.Branches).WithOne().HasForeignKey(b => b.ClientId).OnDelete(DeleteBehavior.Cascade);
            client.HasMany(c => c.Tokens).WithOne().HasForeignKey(t => t.ClientId).OnDelete(DeleteBehavior.Cascade);
            client.HasMany(c => c.States).WithOne().HasForeignKey(s => s.ClientId).OnDelete(DeleteBehavior.Cascade);
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
            token.HasIndex(t => t.ClientId);
            // Finds the tokens that are due for refresh without scanning revoked or dead ones.
            token.HasIndex(t => t.ExpiresAt).HasFilter("is_valid AND NOT is_revoked");
        });

        modelBuilder.Entity<OAuthState>(state =>
        {
            state.ToTable("oauth_states");
            state.HasIndex(s => s.State).IsUnique();
        });
    }
}
