extern alias reviews;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using reviews::ReviewsFetcher;

namespace Token.Api.Tests;

/// <summary>
/// The sample samples/ReviewsFetcher, wired as its Program wires it, in this process: the platform through the
/// gateway with the admin key (as the AppHost gives it), and the sandbox's reviews resource as the provider's API.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class ReviewsFetcherTests(TokenApiFixture fixture) : IAsyncLifetime
{
    private readonly TokenPlatformApi _api = fixture.Api;
    private GatewayHost _gateway = null!;
    private ServiceProvider _services = null!;

    private BranchReviewsFetcher Fetcher => _services.GetRequiredService<BranchReviewsFetcher>();

    public async Task InitializeAsync()
    {
        await _api.ResetSandboxAsync();
        _gateway = GatewayHost.Start(fixture);
        using var sandbox = _api.Sandbox();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenPlatform:BaseAddress"] = _gateway.Address.ToString(),
            ["TokenPlatform:ApiKey"] = _api.AdminApiKey,
            ["Reviews:BaseAddress"] = sandbox.BaseAddress!.ToString()
        }).Build();
        _services = new ServiceCollection().AddLogging().AddReviewsFetcher(configuration).BuildServiceProvider();
    }

    [Fact]
    public async Task A_connected_clients_branch_gets_its_reviews_and_a_branch_without_a_grant_is_skipped()
    {
        var connected = await ConnectedClientWithBranchAsync();
        var (unconnected, _, _) = await _api.CreateSandboxClientAsync();
        await CreateBranchAsync(unconnected, $"accounts/a{unconnected}", $"locations/l{unconnected}");

        var fetched = await Fetcher.FetchAllAsync();

        var branch = Assert.Single(fetched, reviews => reviews.BranchId == connected.BranchId);
        // The same numbers as the sandbox gives the client's own token for that location.
        var expected = await SandboxReviewsAsync(await AccessTokenAsync(connected.Id), branch.Location);
        Assert.Equal($"accounts/a{connected.Id}/locations/l{connected.Id}", branch.Location);
        Assert.Equal(expected["totalReviewCount"]!.GetValue<int>(), branch.ReviewCount);
        Assert.Equal(expected["averageRating"]!.GetValue<double>(), branch.AverageRating);
        Assert.DoesNotContain(fetched, reviews => reviews.ClientId == unconnected);
    }

    [Fact]
    public async Task A_token_the_provider_refuses_is_refreshed_once_and_the_resource_sees_the_new_one()
    {
        var client = await ConnectedClientWithBranchAsync();
        await Fetcher.FetchAllAsync();
        var refused = await AccessTokenAsync(client.Id);
        await RevokeAtSandboxAsync(client, refused);
        await _api.ClearSandboxRequestsAsync();

        var fetched = await Fetcher.FetchAllAsync();

        Assert.Single(fetched, reviews => reviews.BranchId == client.BranchId);
        var renewed = await AccessTokenAsync(client.Id);
        Assert.NotEqual(refused, renewed);
        var sent = (await _api.SandboxTokenRequestsAsync())
            .Where(request => request!["endpoint"]!.GetValue<string>() == "reviews")
            .Select(request => request!["token_sha256"]!.GetValue<string>())
            .Where(hash => hash == TokenHash.Of(refused) || hash == TokenHash.Of(renewed));
        Assert.Equal([TokenHash.Of(refused), TokenHash.Of(renewed)], sent);
        Assert.Equal(1, await _api.RefreshAttemptsAsync(client.ClientId));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    /// <summary>A client with a grant, and a branch of it whose location ids are kept bare.</summary>
    private async Task<ConnectedClient> ConnectedClientWithBranchAsync()
    {
        var (id, clientId, secret) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        return new ConnectedClient(id, clientId, secret, await CreateBranchAsync(id, $"a{id}", $"l{id}"));
    }

    private async Task<string> CreateBranchAsync(int clientId, string accountId, string locationId)
    {
        var branchId = $"branch-{Guid.NewGuid():N}";
        using var admin = _api.Admin();
        (await admin.PostAsJsonAsync("/branches", new
        {
            branch_id = branchId, client_id = clientId, account_id = accountId, location_id = locationId
        })).EnsureSuccessStatusCode();
        return branchId;
    }

    /// <summary>The token the platform serves for the client now.</summary>
    private async Task<string> AccessTokenAsync(int clientId)
    {
        using var admin = _api.Admin();
        var token = await admin.GetFromJsonAsync<JsonObject>($"/tokens/validate/{clientId}");
        return token!["access_token"]!.GetValue<string>();
    }

    private async Task<JsonObject> SandboxReviewsAsync(string accessToken, string location)
    {
        using var sandbox = _api.Sandbox();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v4/{location}/reviews");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await sandbox.SendAsync(request);
        return await TokenPlatformApi.ReadJsonAsync(response);
    }

    /// <summary>The access token revoked at the provider, behind the platform's back: it still serves it.</summary>
    private async Task RevokeAtSandboxAsync(ConnectedClient client, string accessToken)
    {
        using var sandbox = _api.Sandbox();
        using var revoke = await sandbox.PostAsync("/connect/revoke", new FormUrlEncodedContent(
            new Dictionary<string, string>
            {
                ["token"] = accessToken, ["client_id"] = client.ClientId, ["client_secret"] = client.Secret
            }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
    }

    private sealed record ConnectedClient(int Id, string ClientId, string Secret, string BranchId);
}
