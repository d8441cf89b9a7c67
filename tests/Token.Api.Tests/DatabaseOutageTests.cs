using System.Net;
using Microsoft.Extensions.Hosting;

namespace Token.Api.Tests;

/// <summary>
/// While PostgreSQL restarts, a request that needs it is told to come back (503, <c>Retry-After</c>, a detail), not
/// answered 500 as if token-api were broken. Found by the chaos run (docs/reliability.md).
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class DatabaseOutageTests(TokenApiFixture fixture)
{
    [Fact]
    public async Task While_the_database_is_away_requests_get_503_with_retry_after_and_a_detail_then_work_again()
    {
        var database = await fixture.CreateDatabaseAsync();
        await using var tokenApi = fixture.StartAnother(
            Environments.Development, new Dictionary<string, string?> { ["ConnectionStrings:tokendb"] = database });
        using var admin = tokenApi.CreateClient();
        admin.DefaultRequestHeaders.Add("X-API-Key", TokenApiFixture.AdminApiKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/clients")).StatusCode);

        await using (await DatabaseOutage.BeginAsync(database))
        {
            foreach (var path in new[] { "/clients", "/tokens/validate/1", "/branches" })
            {
                using var response = await admin.GetAsync(path);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
                var problem = await TokenPlatformApi.ReadJsonAsync(response, HttpStatusCode.ServiceUnavailable);
                Assert.Contains("try again", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/clients")).StatusCode);
    }
}
