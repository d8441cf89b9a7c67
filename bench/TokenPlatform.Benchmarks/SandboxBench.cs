using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Tokens;

namespace TokenPlatform.Benchmarks;

public sealed record Grant(string ClientId, string ClientSecret, string AccessToken, string RefreshToken);

/// <summary>
/// Grants made straight at the sandbox (its own authorization-code flow), and its refresh capacity alone.
/// </summary>
public sealed class SandboxBench(Uri baseAddress)
{
    // As many callers as the refresher keeps provider calls going.
    public static readonly int Parallelism = new RefreshOptions().Parallelism;
    private const string RedirectUri = "http://localhost:8002/auth/callback";
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60)
    };

    public async Task<(List<Grant> Grants, TimeSpan Elapsed)> CreateGrantsAsync(int count)
    {
        // Refresh tokens stay valid when used, so the capacity run and the platform can both use them.
        (await _http.PutAsJsonAsync("/sandbox/switches",
            new { auto_approve = true, rotate_refresh_tokens = false, access_token_lifetime_seconds = 3600 }))
            .EnsureSuccessStatusCode();
        var scope = string.Join(' ', ProviderDefinition.Sandbox(_http.BaseAddress!.ToString()).Scopes);
        var grants = new System.Collections.Concurrent.ConcurrentBag<Grant>();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, ct) =>
        {
            var clientId = $"bench-{i}-{RandomValues.New(6)}";
            var secret = RandomValues.New();
            (await _http.PostAsJsonAsync("/sandbox/clients",
                new { client_id = clientId, client_secret = secret, redirect_uris = new[] { RedirectUri } }, ct))
                .EnsureSuccessStatusCode();
            var verifier = Pkce.NewVerifier();
            var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
            {
                ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = RedirectUri, ["scope"] = scope,
                ["state"] = RandomValues.New(), ["code_challenge"] = Pkce.CodeChallenge(verifier),
                ["code_challenge_method"] = "S256"
            });
            using var approved = await _http.GetAsync(authorize, ct);
            var code = QueryHelpers.ParseQuery(approved.Headers.Location!.Query)["code"].ToString();
            var tokens = await TokenAsync(new()
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = verifier, ["client_id"] = clientId, ["client_secret"] = secret
            }, ct);
            grants.Add(new Grant(clientId, secret, tokens["access_token"]!.GetValue<string>(),
                tokens["refresh_token"]!.GetValue<string>()));
        });
        return ([.. grants], Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Refreshes per second the sandbox answers with <see cref="Parallelism"/> callers, for
    /// <paramref name="duration"/>.
    /// </summary>
    public async Task<double> MeasureRefreshCapacityAsync(List<Grant> grants, TimeSpan duration)
    {
        var next = -1;
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var grant = grants[(int)((uint)Interlocked.Increment(ref next) % grants.Count)];
                await TokenAsync(new()
                {
                    ["grant_type"] = "refresh_token", ["refresh_token"] = grant.RefreshToken,
                    ["client_id"] = grant.ClientId, ["client_secret"] = grant.ClientSecret
                }, CancellationToken.None);
                Interlocked.Increment(ref done);
            }
        }));
        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task<JsonObject> TokenAsync(Dictionary<string, string> form, CancellationToken ct)
    {
        using var response = await _http.PostAsync("/connect/token", new FormUrlEncodedContent(form), ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
    }
}
