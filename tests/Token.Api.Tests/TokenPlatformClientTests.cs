using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Token.Client;

namespace Token.Api.Tests;

/// <summary>
/// Token.Client as a service uses it: against the gateway in this process in front of token-api, with a
/// <c>tokens:read</c> key; its requests to the platform are counted.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class TokenPlatformClientTests(TokenApiFixture fixture) : IAsyncLifetime
{
    private readonly TokenPlatformApi _api = fixture.Api;
    private readonly StrongBox<int> _platformRequests = new();
    private readonly ProviderApi _providerApi = new();

    /// <summary>What a test started besides: disposed after it.</summary>
    private readonly List<IAsyncDisposable> _owned = [];

    private GatewayHost _gateway = null!;
    private ServiceProvider _services = null!;

    private ITokenPlatformClient Platform => _services.GetRequiredService<ITokenPlatformClient>();

    public async Task InitializeAsync()
    {
        _gateway = GatewayHost.Start(fixture);
        var services = Client(_gateway.Address, await _api.CreateApiKeyAsync(["tokens:read"]));
        // A provider's API that the service calls with its clients' tokens: /accounts/{client}/…
        services.AddHttpClient("provider-api", http => http.BaseAddress = new Uri("http://provider-api.test"))
            .AddTokenPlatformBearer(request => int.Parse(request.RequestUri!.Segments[2].TrimEnd('/')))
            .ConfigurePrimaryHttpMessageHandler(() => _providerApi);
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_token_is_fetched_once_and_then_served_from_memory()
    {
        var (id, _, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);

        var first = await Platform.GetTokenAsync(id);
        var second = await Platform.GetAccessTokenAsync(id);

        Assert.True(first.IsValid);
        Assert.Equal(first.AccessToken, second);
        Assert.Equal(1, _platformRequests.Value);
    }

    [Fact]
    public async Task Fifty_concurrent_callers_for_one_client_share_one_request()
    {
        var (id, _, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Platform.GetAccessTokenAsync(id)));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, _platformRequests.Value);
    }

    [Fact]
    public async Task A_revoked_grant_is_a_token_unavailable_exception_with_its_reason_and_a_state_that_says_it()
    {
        var (id, _, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var admin = _api.Admin();
        await TokenPlatformApi.ReadJsonAsync(await admin.DeleteAsync($"/tokens/{id}"));

        var refused = await Assert.ThrowsAsync<TokenUnavailableException>(() => Platform.GetAccessTokenAsync(id));
        var state = await Platform.GetTokenAsync(id);

        Assert.Equal("revoked", refused.Reason);
        Assert.False(state.IsValid);
        Assert.Equal("revoked", state.Reason);
    }

    [Fact]
    public async Task A_client_without_a_grant_has_no_token_and_says_why()
    {
        var (id, _, _) = await _api.CreateSandboxClientAsync();

        var refused = await Assert.ThrowsAsync<TokenUnavailableException>(() => Platform.GetAccessTokenAsync(id));

        Assert.Equal("no_grant", refused.Reason);
        Assert.Equal(id, refused.ClientId);
    }

    [Fact]
    public async Task An_error_of_the_platform_carries_its_status_and_detail()
    {
        var unknown = await Assert.ThrowsAsync<TokenPlatformException>(() => Platform.GetTokenAsync(int.MaxValue));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains($"Client {int.MaxValue} does not exist", unknown.Detail);
    }

    [Fact]
    public async Task A_token_the_provider_api_refuses_is_refreshed_once_and_the_request_sent_again_with_the_new_one()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        using var providerApi = _services.GetRequiredService<IHttpClientFactory>().CreateClient("provider-api");

        var answer = await providerApi.PostAsync($"/accounts/{id}/reviews", new StringContent("{\"reply\":\"Thanks\"}"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, _providerApi.Requests.Count);
        var (refused, accepted) = (_providerApi.Requests[0], _providerApi.Requests[1]);
        Assert.NotEqual(refused.Authorization, accepted.Authorization);
        Assert.Equal($"Bearer {await Platform.GetAccessTokenAsync(id)}", accepted.Authorization);
        Assert.Equal(refused.Body, accepted.Body);
        Assert.Equal(1, await _api.RefreshAttemptsAsync(clientId));
    }

    [Fact]
    public async Task Clients_and_branches_are_read_with_an_admin_key()
    {
        var (id, clientId, _) = await _api.CreateSandboxClientAsync();
        using var admin = _api.Admin();
        (await admin.PostAsJsonAsync("/branches", new { branch_id = $"branch-{id}", client_id = id }))
            .EnsureSuccessStatusCode();
        await using var services = Client(fixture.BaseUrl, TokenApiFixture.AdminApiKey).BuildServiceProvider();
        var platform = services.GetRequiredService<ITokenPlatformClient>();

        var client = await platform.GetClientAsync(id);
        var branch = Assert.Single(await platform.GetBranchesAsync(id));

        Assert.Equal((id, clientId, "sandbox", true), (client.Id, client.ClientId, client.Provider, client.IsActive));
        Assert.Equal(($"branch-{id}", id), (branch.BranchId, branch.ClientId));
    }

    [Fact]
    public async Task An_Aspire_project_finds_the_gateway_by_its_service_name()
    {
        var (id, _, _) = await _api.CreateSandboxClientAsync();
        await _api.ConnectAsync(id);
        // What the AppHost's WithReference(gateway) puts in a project's configuration, and the project's own key.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:token-gateway:http:0"] = _gateway.Address.ToString(),
            ["TokenPlatform:ApiKey"] = await _api.CreateApiKeyAsync(["tokens:read"])
        });
        builder.AddTokenPlatformClient("token-gateway").AddHttpMessageHandler(() => new Counting(_platformRequests));
        using var host = builder.Build();
        var platform = host.Services.GetRequiredService<ITokenPlatformClient>();

        var token = await platform.GetTokenAsync(id);

        Assert.True(token.IsValid);
        Assert.Equal(1, _platformRequests.Value);
        Assert.Equal(new Uri("https+http://token-gateway"),
            host.Services.GetRequiredService<IOptions<TokenPlatformClientOptions>>().Value.BaseAddress);
    }

    [Fact]
    public void An_Aspire_project_may_name_another_address_in_configuration()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenPlatform:BaseAddress"] = "http://localhost:8002", ["TokenPlatform:ApiKey"] = "a-key"
        });
        builder.AddTokenPlatformClient("token-gateway", options => options.RefreshMargin = TimeSpan.FromMinutes(5));
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<TokenPlatformClientOptions>>().Value;

        Assert.Equal((new Uri("http://localhost:8002"), "a-key", TimeSpan.FromMinutes(5)),
            (options.BaseAddress, options.ApiKey, options.RefreshMargin));
    }

    [Theory]
    [InlineData("token-gateway", "a-key", false)]
    [InlineData("ftp://token-gateway", "a-key", false)]
    [InlineData("http://localhost:8002", " ", false)]
    [InlineData("http://localhost:8002", "a-key", true)]
    [InlineData("https+http://token-gateway", "a-key", true)]
    public void The_options_are_checked_when_the_host_starts(string baseAddress, string apiKey, bool valid)
    {
        using var services = Client(new Uri(baseAddress, UriKind.RelativeOrAbsolute), apiKey).BuildServiceProvider();

        var check = Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate());

        if (valid)
        {
            Assert.Null(check);
        }
        else
        {
            Assert.IsType<OptionsValidationException>(check);
        }
    }

    [Fact]
    public async Task A_429_is_sent_again_after_its_Retry_After()
    {
        var (platform, id) = await OverItsRateLimitAsync(TimeSpan.FromSeconds(1));

        var started = Stopwatch.GetTimestamp();
        var second = await platform.GetTokenAsync(id);

        // The gateway's bucket refills on a timer: the first Retry-After is sometimes a tick short, and then the
        // third attempt is the one let through.
        Assert.Equal("no_grant", second.Reason);
        Assert.InRange(_platformRequests.Value, 3, 4);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_429_with_a_longer_wait_than_30_s_is_an_error_at_once()
    {
        var (platform, id) = await OverItsRateLimitAsync(TimeSpan.FromMinutes(1));

        var refused = await Assert.ThrowsAsync<TokenPlatformException>(() => platform.GetTokenAsync(id));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("rate limit", refused.Detail);
        Assert.Equal(2, _platformRequests.Value);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        await _services.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    /// <summary>A client of the platform at <paramref name="address"/> whose requests are counted.</summary>
    private ServiceCollection Client(Uri address, string apiKey)
    {
        var services = new ServiceCollection();
        services.AddTokenPlatformClient(options =>
            {
                options.BaseAddress = address;
                options.ApiKey = apiKey;
            })
            .AddHttpMessageHandler(() => new Counting(_platformRequests));
        return services;
    }

    /// <summary>
    /// A client of the platform behind a gateway that lets one request per key and <paramref name="period"/>
    /// through, which it has just made (reading the token of a client without a grant).
    /// </summary>
    private async Task<(ITokenPlatformClient Platform, int ClientId)> OverItsRateLimitAsync(TimeSpan period)
    {
        var gateway = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PerApiKey:TokenLimit"] = "1",
            ["Gateway:RateLimits:PerApiKey:TokensPerPeriod"] = "1",
            ["Gateway:RateLimits:PerApiKey:ReplenishmentPeriod"] = period.ToString()
        });
        _owned.Add(gateway);
        var services = Client(gateway.Address, await _api.CreateApiKeyAsync(["tokens:read"])).BuildServiceProvider();
        _owned.Add(services);
        var (id, _, _) = await _api.CreateSandboxClientAsync();
        var platform = services.GetRequiredService<ITokenPlatformClient>();
        await platform.GetTokenAsync(id);
        return (platform, id);
    }

    /// <summary>Counts the requests of the HttpClient it is added to.</summary>
    private sealed class Counting(StrongBox<int> count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Interlocked.Increment(ref count.Value);
            return base.SendAsync(request, ct);
        }
    }

    /// <summary>A provider's API that refuses the first token it is shown (401) and accepts the next.</summary>
    private sealed class ProviderApi : HttpMessageHandler
    {
        public List<(string Authorization, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Add((request.Headers.Authorization!.ToString(), await request.Content!.ReadAsStringAsync(ct)));
            return new HttpResponseMessage(Requests.Count == 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK);
        }
    }
}
