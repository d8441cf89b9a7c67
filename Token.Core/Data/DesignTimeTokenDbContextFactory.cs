using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Token.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeTokenDbContextFactory : IDesignTimeDbContextFactory<TokenDbContext>
{
    public TokenDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TokenDbContext>().UseNpgsql("Host=localhost;Database=tokendb");
        TokenDatabaseExtensions.UseTokenDbConventions(options);
        return new TokenDbContext(options.Options);
    }
}
