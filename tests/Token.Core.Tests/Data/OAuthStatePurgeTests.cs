using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Token.Core.Data;

namespace Token.Core.Tests.Data;

public sealed class OAuthStatePurgeTests(TokenServicesFixture fixture) : IClassFixture<TokenServicesFixture>
{
    [Fact]
    public async Task Authorization_requests_an_hour_past_their_expiry_are_deleted_and_the_others_kept()
    {
        var clientId = await fixture.CreateClientAsync();
        var now = fixture.Time.GetUtcNow();
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var longExpired = Request(clientId, now - OAuthStatePurge.Grace - TimeSpan.FromMinutes(1));
        var justExpired = Request(clientId, now - OAuthStatePurge.Grace + TimeSpan.FromMinutes(1));
        var live = Request(clientId, now + TimeSpan.FromMinutes(5));
        db.OAuthStates.AddRange(longExpired, justExpired, live);
        await db.SaveChangesAsync();

        var purged = await new OAuthStatePurge(db, fixture.Time).PurgeAsync(CancellationToken.None);

        Assert.Equal(1, purged);
        var left = await db.OAuthStates.AsNoTracking().Where(s => s.ClientId == clientId)
            .Select(s => s.State).ToListAsync();
        Assert.Equal([justExpired.State, live.State], left.Order());
    }

    private static OAuthState Request(int clientId, DateTimeOffset expiresAt) => new()
    {
        State = expiresAt.ToUnixTimeSeconds() + "-" + Guid.NewGuid().ToString("N"),
        ClientId = clientId, CodeVerifier = [1, 2, 3], LoginTicket = Guid.NewGuid().ToString("N"),
        ExpiresAt = expiresAt, CreatedAt = expiresAt - TimeSpan.FromMinutes(10)
    };
}
