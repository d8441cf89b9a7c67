using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Token.Core.Outbound;
using Token.Core.Providers;
using Token.Core.Tokens;
using Xunit.Abstractions;

namespace Token.Core.Tests.Outbound;

/// <summary>
/// The OAuth client as the platform configures it (<see cref="TokenServicesExtensions.AddTokenServices"/>), against
/// token endpoints on loopback that are trusted only where a test says so.
/// </summary>
[Collection(OutboundCollection.Name)]
public sealed class OutboundRulesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    private LocalTokenEndpoint _provider = null!;

    public async Task InitializeAsync() => _provider = await LocalTokenEndpoint.StartAsync();

    public async Task DisposeAsync()
    {
        _hosts.ForEach(host => host.Dispose());
        await _provider.DisposeAsync();
    }

    [Theory]
    [InlineData("169.254.169.254", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void Internal_addresses_and_their_IPv4_mapped_forms_are_told_from_public_ones(string address, bool internal_)
    {
        Assert.Equal(internal_, OutboundRules.IsInternal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http", "127.0.0.1", "not_https")]
    [InlineData("https", "127.0.0.1", "internal_address")]
    [InlineData("https", "localhost", "internal_address")]
    [InlineData("https", "[::ffff:127.0.0.1]", "internal_address")]
    public async Task A_stored_endpoint_on_an_untrusted_internal_address_is_refused_before_it_is_connected_to(
        string scheme, string host, string reason)
    {
        // Stored as it is, as if registered before the rules existed or written to the database directly.
        var endpoint = new Uri($"{scheme}://{host}:{_provider.BaseAddress.Port}");
        var (client, services) = PlatformClient();
        using var refusals = new CounterTags(services, "token.outbound.refused", "reason");

        var error = (await client.RefreshAsync(Provider(endpoint), "client", "secret", "refresh",
            CancellationToken.None)).Error!;
        var revoked = await client.RevokeAsync(Provider(endpoint), "client", "secret", "token", CancellationToken.None);

        Assert.Equal(("temporarily_unavailable", null), (error.Error, error.StatusCode));
        Assert.False(revoked);
        Assert.Equal(0, _provider.Connections);
        Assert.Equal([reason, reason], refusals.Values);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_secrets_never_reach_its_target()
    {
        await using var elsewhere = await LocalTokenEndpoint.StartAsync();
        _provider.Answer = _ => Task.FromResult(Results.Redirect(
            new Uri(elsewhere.BaseAddress, "/token").ToString(), permanent: false, preserveMethod: true));
        // Both are trusted, so only the redirect rule stands between the secrets and the other host.
        var (client, services) = PlatformClient(_provider.BaseAddress, elsewhere.BaseAddress);
        using var refusals = new CounterTags(services, "token.outbound.refused", "reason");

        var result = await client.RefreshAsync(Provider(_provider.BaseAddress), "client", "secret-value",
            "refresh-value", CancellationToken.None);

        Assert.Null(result.Tokens);
        Assert.NotNull(result.Error);
        Assert.Single(_provider.Requests);
        Assert.Equal(0, elsewhere.Connections);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(["redirect"], refusals.Values);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_of_64_MB_is_refused_without_the_process_holding_it(bool declareLength)
    {
        const long answerBytes = 64L * 1024 * 1024;
        const long allowedGrowth = 4L * 1024 * 1024;
        var (client, services) = PlatformClient(_provider.BaseAddress);
        using var refusals = new CounterTags(services, "token.outbound.refused", "reason");
        // A first call warms up the connection pool and the JIT, which are not the answer's doing.
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Tokens("warm"));
        await client.RefreshAsync(Provider(_provider.BaseAddress), "client", "secret", "r", CancellationToken.None);
        _provider.Answer = _ => Task.FromResult(LocalTokenEndpoint.Oversized(answerBytes, declareLength));

        var heldBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var error = (await client.RefreshAsync(Provider(_provider.BaseAddress), "client", "secret", "refresh",
            CancellationToken.None)).Error!;
        // Allocated over the call: an upper bound of how much was ever held at once, for the whole process.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var held = GC.GetTotalMemory(forceFullCollection: true) - heldBefore;
        output.WriteLine($"allocated during the call: {allocated / 1024} KB; held after it: {held / 1024} KB");

        Assert.True(allocated < allowedGrowth, $"{allocated} bytes allocated for a refused answer");
        Assert.True(held < allowedGrowth, $"{held} bytes more held after a refused answer");
        Assert.Equal(("temporarily_unavailable", null), (error.Error, error.StatusCode));
        Assert.Equal(["too_large"], refusals.Values);
    }

    [Theory]
    [InlineData("http://idp.internal:8080/oauth")]
    [InlineData("http://idp.internal:8080?x=1")]
    [InlineData("https://user:password@idp.internal")]
    [InlineData("ftp://idp.internal")]
    [InlineData("idp.internal:8080")]
    public async Task A_trusted_origin_that_is_not_an_origin_stops_the_service_from_starting(string origin)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenEncryption:Keys"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
            ["Providers:TrustedOrigins:0"] = "https://idp.example.test:8443",
            ["Providers:TrustedOrigins:1"] = origin
        });
        builder.AddTokenServices();
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Providers:TrustedOrigins:1 ('{origin}')", refused.Message);
        Assert.DoesNotContain("TrustedOrigins:0", refused.Message);
    }

    /// <summary>The OAuth client as token-api and token-refresher get it, trusting these origins only.</summary>
    private (OAuthProviderClient Client, IServiceProvider Services) PlatformClient(params Uri[] trustedOrigins)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(trustedOrigins.Select((origin, index) =>
            KeyValuePair.Create($"Providers:TrustedOrigins:{index}", (string?)origin.ToString())));
        builder.AddTokenServices();
        var host = builder.Build();
        _hosts.Add(host);
        return (host.Services.GetRequiredService<OAuthProviderClient>(), host.Services);
    }

    private static ProviderDefinition Provider(Uri root) => new(
        "local", new Uri(root, "/authorize").ToString(), new Uri(root, "/token").ToString(),
        new Uri(root, "/revoke").ToString(), [], new Dictionary<string, string>(), ProviderDefinition.ClientSecretPost,
        BuiltIn: false);
}

/// <summary>
/// Alone on the machine: the memory test measures the whole process, which other test classes would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutboundCollection
{
    public const string Name = "outbound";
}
