using System.Net;
using System.Net.Http.Json;

namespace Token.Api.Tests;

/// <summary>
/// URLs the platform itself calls cannot point it at the internal network, nor can its answers map that network.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class OutboundTests(TokenApiFixture fixture)
{
    private const string InternalAddress = "an internal address";
    private const string PlainHttp = "must use https";

    private readonly TokenPlatformApi _api = fixture.Api;

    [Theory]
    [InlineData("token_endpoint", "https://169.254.169.254/token", InternalAddress)]
    [InlineData("token_endpoint", "https://127.0.0.1/token", InternalAddress)]
    [InlineData("token_endpoint", "https://[::1]/token", InternalAddress)]
    [InlineData("token_endpoint", "https://10.0.0.1/token", InternalAddress)]
    [InlineData("token_endpoint", "https://localhost/token", InternalAddress)]
    [InlineData("token_endpoint", "http://example.com/token", PlainHttp)]
    [InlineData("revocation_endpoint", "https://[::ffff:192.168.0.1]/revoke", InternalAddress)]
    [InlineData("revocation_endpoint", "https://100.64.0.1/revoke", InternalAddress)]
    public async Task A_provider_url_on_an_internal_address_or_plain_http_is_refused_with_400_naming_field_and_reason(
        string field, string url, string reason)
    {
        using var admin = _api.Admin();
        var before = await _api.CountAsync("providers");
        var fields = new Dictionary<string, string>
        {
            ["name"] = "internal-" + Guid.NewGuid().ToString("N")[..8],
            ["authorization_endpoint"] = "https://id.example.test/authorize",
            ["token_endpoint"] = "https://id.example.test/token",
            [field] = url
        };

        var problem = await TokenPlatformApi.ReadProblemAsync(
            await admin.PostAsJsonAsync("/providers", fields), HttpStatusCode.BadRequest);

        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains(field, detail);
        Assert.Contains(reason, detail);
        Assert.Equal(before, await _api.CountAsync("providers"));
    }

    [Fact]
    public async Task A_registered_provider_cannot_be_changed_to_an_internal_address()
    {
        using var admin = _api.Admin();
        var name = "moving-" + Guid.NewGuid().ToString("N")[..8];
        await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
        {
            name, authorization_endpoint = "https://id.example.test/authorize",
            token_endpoint = "https://id.example.test/token"
        }), HttpStatusCode.Created);

        var problem = await TokenPlatformApi.ReadProblemAsync(
            await admin.PatchAsJsonAsync($"/providers/{name}", new { token_endpoint = "https://169.254.169.254/t" }),
            HttpStatusCode.BadRequest);

        Assert.Contains("token_endpoint", problem["detail"]!.GetValue<string>());
        var stored = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/providers/{name}"));
        Assert.Equal("https://id.example.test/token", stored["token_endpoint"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_origin_on_TrustedOrigins_is_accepted_as_it_is_and_only_that_origin()
    {
        using var admin = _api.Admin();
        // The fixture trusts the sandbox's origin (plain http on loopback), as the AppHost does in Development.
        var sandbox = new Uri((await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/providers/sandbox")))
            ["token_endpoint"]!.GetValue<string>());
        var otherPort = new UriBuilder(sandbox) { Port = sandbox.Port == 65535 ? 1 : sandbox.Port + 1 }.Uri;

        var trusted = await admin.PostAsJsonAsync("/providers", new
        {
            name = "in-house-" + Guid.NewGuid().ToString("N")[..8], authorization_endpoint = sandbox.ToString(),
            token_endpoint = sandbox.ToString()
        });
        var untrusted = await admin.PostAsJsonAsync("/providers", new
        {
            name = "in-house-" + Guid.NewGuid().ToString("N")[..8], authorization_endpoint = sandbox.ToString(),
            token_endpoint = otherPort.ToString()
        });

        await TokenPlatformApi.ReadJsonAsync(trusted, HttpStatusCode.Created);
        Assert.Contains(PlainHttp, (await TokenPlatformApi.ReadProblemAsync(untrusted, HttpStatusCode.BadRequest))
            ["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_code_exchange_is_one_plain_502_whether_the_provider_refused_failed_or_is_unreachable()
    {
        var refused = await CallbackAfterAsync(new { mode = "invalid_grant", grant_type = "authorization_code" });
        var failed = await CallbackAfterAsync(new { mode = "status", status_code = 503 });
        var unreachable = await CallbackAfterAsync(null);

        foreach (var answer in (string[])[refused, failed, unreachable])
        {
            Assert.DoesNotContain("invalid_grant", answer);
            Assert.DoesNotContain("temporarily_unavailable", answer);
            Assert.DoesNotContain("unreachable", answer);
        }
        Assert.Equal(refused, failed);
        Assert.Equal(refused, unreachable);
    }

    /// <summary>
    /// The callback's whole answer after the owner consented and the code exchange met
    /// <paramref name="tokenFailure"/> at the sandbox, or, when null, a token endpoint nobody can reach.
    /// </summary>
    private async Task<string> CallbackAfterAsync(object? tokenFailure)
    {
        var provider = "sandbox";
        if (tokenFailure is null)
        {
            using var admin = _api.Admin();
            var sandbox = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/providers/sandbox"));
            provider = "unreachable-" + Guid.NewGuid().ToString("N")[..8];
            await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/providers", new
            {
                name = provider, authorization_endpoint = sandbox["authorization_endpoint"]!.GetValue<string>(),
                // .invalid never resolves (RFC 6761).
                token_endpoint = "https://token.unreachable.invalid/token"
            }), HttpStatusCode.Created);
        }
        var client = await _api.CreateSandboxClientAsync(provider);
        await _api.SetSandboxSwitchesAsync(new { token_failure = tokenFailure ?? new { mode = "none" } });
        try
        {
            var (_, callback) = await _api.ConnectAsync(client.Id);
            return (await TokenPlatformApi.ReadProblemAsync(callback, HttpStatusCode.BadGateway)).ToJsonString();
        }
        finally
        {
            await _api.ResetSandboxAsync();
        }
    }
}
