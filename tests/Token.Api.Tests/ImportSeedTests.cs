using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Token.Core.Data;
using Token.Core.Security;

namespace Token.Api.Tests;

/// <summary>
/// <c>import-seed</c> takes over the Python service's database: ids, fields and usable grants kept, secrets and tokens
/// encrypted on the way in, safe to repeat, all or nothing. It runs as token-api's published command runs, a process
/// of its own configured from the environment, into a platform database of its own.
/// </summary>
[Collection(TokenApiCollection.Name)]
public sealed class ImportSeedTests(TokenApiFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_imported_seed_serves_its_clients_grants_and_branches_with_their_ids_and_no_plain_secret()
    {
        var (seed, secrets, real) = await SeedWithEveryKindOfClientAsync();
        var target = await PlatformDatabaseAsync();

        var (exitCode, output, errors) = await ImportAsync(target, seed.ConnectionString, "--provider", "sandbox");

        Assert.True(exitCode == 0, $"{errors}\n{output}");
        Assert.Contains("clients:  7 new, 0 already present, 0 in conflict", output);
        Assert.Contains("branches: 3 new", output);
        Assert.Contains("grants:   5 new, 0 already present, 0 in conflict, 2 skipped", output);
        Assert.DoesNotContain(secrets, output.Contains);
        await using (var platform = new NpgsqlConnection(target))
        {
            await platform.OpenAsync();
            foreach (var secret in secrets)
            {
                Assert.Equal(0, await DatabaseSearch.CountRowsContainingAsync(platform, secret));
            }
        }
        Assert.Equal(0L, await CountAsync(target, "oauth_states"));

        await using var tokenApi = fixture.StartAnother("Development", new Dictionary<string, string?>
        {
            ["ConnectionStrings:tokendb"] = target
        });
        await using var gatewayHost = GatewayHost.Start(fixture, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:token-api:Destinations:token-api:Address"] =
                tokenApi.CreateClient().BaseAddress!.ToString()
        });
        using var admin = gatewayHost.From(IPAddress.Loopback, fixture.Api.AdminApiKey);

        var client = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/clients/1"));
        Assert.Equal("seed-active", client["client_id"]!.GetValue<string>());
        Assert.Equal("https://reviews.example.com/oauth/callback", client["redirect_uri"]!.GetValue<string>());
        Assert.False((await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/clients/2")))["is_active"]!
            .GetValue<bool>());
        var branch = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/branches/10"));
        Assert.Equal("Café Zürich – 東京 ☕", branch["branch_name"]!.GetValue<string>());
        Assert.Equal("accounts/77", branch["account_id"]!.GetValue<string>());
        var bare = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync("/branches/11"));
        Assert.Null(bare["email"]);
        Assert.Null(bare["description"]);

        // The newest usable token is served as it is, without a call to the provider.
        await fixture.Api.ClearSandboxRequestsAsync();
        Assert.Equal("seed-access-1", await ValidAccessTokenAsync(admin, 1));
        Assert.Equal("seed-access-5-newest-valid", await ValidAccessTokenAsync(admin, 5));
        Assert.Empty(await fixture.Api.SandboxTokenRequestsAsync());

        // The real grant expired in the Python service: its imported refresh token gets a new one from the provider.
        var refreshed = await ValidAccessTokenAsync(admin, 6);
        Assert.NotEqual(real.AccessToken, refreshed);
        Assert.Equal(1, await fixture.Api.RefreshAttemptsAsync(real.ClientId));

        foreach (var unusable in new[] { 3, 4 })
        {
            var answer = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{unusable}"));
            Assert.False(answer["is_valid"]!.GetValue<bool>(), answer.ToJsonString());
        }

        // Clients made on the platform afterwards get ids past the imported ones.
        var created = await TokenPlatformApi.ReadJsonAsync(await admin.PostAsJsonAsync("/clients", new
        {
            client_id = $"after-import-{Guid.NewGuid():N}", client_secret = "s", redirect_uri = "https://a.example/cb"
        }), HttpStatusCode.Created);
        Assert.True(created["id"]!.GetValue<int>() > 7);
    }

    [Fact]
    public async Task A_second_run_reports_nothing_new_and_changes_nothing_and_a_dry_run_writes_nothing()
    {
        var (seed, _, _) = await SeedWithEveryKindOfClientAsync();
        var target = await PlatformDatabaseAsync();

        var dryRun = await ImportAsync(target, seed.ConnectionString, "--dry-run");
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("Dry run: nothing was written", dryRun.Output);
        Assert.Contains("clients:  7 new", dryRun.Output);
        Assert.Equal(0L, await CountAsync(target, "clients"));

        Assert.Equal(0, (await ImportAsync(target, seed.ConnectionString)).ExitCode);
        var before = await DigestAsync(target);
        var again = await ImportAsync(target, seed.ConnectionString);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("clients:  0 new, 7 already present, 0 in conflict", again.Output);
        Assert.Contains("branches: 0 new, 3 already present", again.Output);
        Assert.Contains("grants:   0 new, 5 already present", again.Output);
        Assert.Equal(before, await DigestAsync(target));
    }

    [Fact]
    public async Task A_row_whose_id_the_platform_gives_to_other_data_is_reported_and_left_alone()
    {
        var (seed, _, _) = await SeedWithEveryKindOfClientAsync();
        var target = await PlatformDatabaseAsync();
        await ExecuteAsync(target, """
            INSERT INTO clients (id, client_id, client_secret, redirect_uri, provider, is_active, created_at, updated_at)
            VALUES (3, 'made-on-the-platform', '\x00', 'https://p.example/cb', 'google', true, now(), now())
            """);

        var (exitCode, output, _) = await ImportAsync(target, seed.ConnectionString);

        Assert.Equal(0, exitCode);
        Assert.Contains("clients:  6 new, 0 already present, 1 in conflict", output);
        Assert.Contains("conflict: client 3 ('seed-no-token'): id 3 is client_id 'made-on-the-platform'", output);
        await using var db = new NpgsqlConnection(target);
        await db.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT client_id FROM clients WHERE id = 3", db);
        Assert.Equal("made-on-the-platform", await read.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("unreachable", "reading the source database")]
    [InlineData("no branches table", "branches")]
    [InlineData("a token without an access token", "source table tokens, row id")]
    public async Task A_failure_exits_non_zero_naming_what_and_where_with_the_platform_unchanged(
        string failure, string named)
    {
        var (seed, _, _) = await SeedWithEveryKindOfClientAsync();
        var source = seed.ConnectionString;
        switch (failure)
        {
            case "unreachable":
                source = "Host=127.0.0.1;Port=9;Database=seed;Username=u;Password=p;Timeout=3";
                break;
            case "no branches table":
                await seed.ExecuteAsync("DROP TABLE branches");
                break;
            default:
                await seed.ExecuteAsync("ALTER TABLE tokens ALTER COLUMN access_token DROP NOT NULL");
                await seed.ExecuteAsync("UPDATE tokens SET access_token = NULL WHERE client_id = 1 AND is_valid");
                break;
        }
        var target = await PlatformDatabaseAsync();
        var before = await DigestAsync(target);

        var (exitCode, output, errors) = await ImportAsync(target, source);

        Assert.True(exitCode != 0, output);
        Assert.Contains(named, errors);
        Assert.Contains("Nothing was written.", errors);
        Assert.Equal(before, await DigestAsync(target));
    }

    /// <summary>
    /// Seven clients: active with a valid and a revoked token (1), inactive (2), without tokens (3), with only revoked
    /// or invalid ones (4), with several (5), a real grant from the sandbox that has expired (6), one whose token
    /// is expired and has no refresh token (7); branches with non-ASCII and null fields; an unfinished consent.
    /// Returns the plain secrets and tokens in it, and the real grant's client and access token.
    /// </summary>
    private async Task<(SeedDatabase Seed, string[] Secrets, (string ClientId, string AccessToken) Real)>
        SeedWithEveryKindOfClientAsync()
    {
        var seed = new SeedDatabase(await fixture.CreateDatabaseAsync());
        await seed.CreateSchemaAsync();
        var (real, realSecret, realAccess, realRefresh) = await RealGrantAsync();
        var hour = TimeSpan.FromHours(1);
        var later = DateTime.UtcNow.AddHours(1);
        await seed.AddClientAsync(1, "seed-active", "seed-secret-1");
        await seed.AddClientAsync(2, "seed-inactive", "seed-secret-2", isActive: false);
        await seed.AddClientAsync(3, "seed-no-token", "seed-secret-3");
        await seed.AddClientAsync(4, "seed-revoked", "seed-secret-4");
        await seed.AddClientAsync(5, "seed-several", "seed-secret-5");
        await seed.AddClientAsync(6, real, realSecret);
        await seed.AddClientAsync(7, "seed-expired-no-refresh", "seed-secret-7");
        await seed.AddTokenAsync(1, "seed-access-1-revoked", "seed-refresh-1-old", later, 2 * hour, isRevoked: true);
        await seed.AddTokenAsync(1, "seed-access-1", "seed-refresh-1", later, hour);
        await seed.AddTokenAsync(2, "seed-access-2", "seed-refresh-2", later, hour);
        await seed.AddTokenAsync(4, "seed-access-4-revoked", "seed-refresh-4", later, hour, isRevoked: true);
        await seed.AddTokenAsync(4, "seed-access-4-invalid", "seed-refresh-4b", later, hour / 2, isValid: false);
        await seed.AddTokenAsync(5, "seed-access-5-old", "seed-refresh-5-old", later, 3 * hour);
        await seed.AddTokenAsync(5, "seed-access-5-newest-valid", "seed-refresh-5", later, 2 * hour);
        await seed.AddTokenAsync(5, "seed-access-5-newer-invalid", "seed-refresh-5b", later, hour, isValid: false);
        await seed.AddTokenAsync(6, realAccess, realRefresh, DateTime.UtcNow.AddHours(-1), 2 * hour);
        await seed.AddTokenAsync(7, "seed-access-7", null, DateTime.UtcNow.AddHours(-1), 2 * hour);
        await seed.AddBranchAsync(10, "seed-branch-10", 1, "Café Zürich – 東京 ☕", "owner@example.com",
            "Ünïcödé description 🎉", "accounts/77", "locations/88");
        await seed.AddBranchAsync(11, "seed-branch-11", 1);
        await seed.AddBranchAsync(12, "seed-branch-12", 5, "Second");
        await seed.ExecuteAsync(
            "INSERT INTO oauth_states (state, client_id, expires_at, is_used) VALUES ('unfinished', 3, now(), false)");
        string[] secrets = [
            "seed-secret-1", "seed-secret-2", "seed-secret-3", "seed-secret-4", "seed-secret-5", "seed-secret-7",
            "seed-access-1", "seed-refresh-1", "seed-access-5-newest-valid", "seed-refresh-5", "seed-access-2",
            "seed-access-7", realSecret, realAccess, realRefresh];
        return (seed, secrets, (real, realAccess));
    }

    /// <summary>
    /// A grant the sandbox really issued: a client registered there, consented through the fixture's platform, its
    /// tokens read back in plain text, as the Python service would have held them.
    /// </summary>
    private async Task<(string ClientId, string Secret, string AccessToken, string RefreshToken)> RealGrantAsync()
    {
        var (id, clientId, secret) = await fixture.Api.CreateSandboxClientAsync();
        await fixture.Api.ConnectAsync(id);
        using var scope = fixture.Services.CreateScope();
        var token = scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens.Single(t => t.ClientId == id);
        var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        return (clientId, secret, protector.Unprotect(token.AccessToken, SecretContext.AccessToken(id)),
            protector.Unprotect(token.RefreshToken!, SecretContext.RefreshToken(id)));
    }

    /// <summary>A new platform database brought to the schema by the migration step, as before a real import.</summary>
    private async Task<string> PlatformDatabaseAsync()
    {
        var target = await fixture.CreateDatabaseAsync();
        var (exitCode, output, errors) = await ServiceProcess.RunAsync("Token.Api", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ConnectionStrings__tokendb"] = target
        }, ["migrate"], Timeout);
        Assert.True(exitCode == 0, $"{errors}\n{output}");
        return target;
    }

    private async Task<(int ExitCode, string Output, string Errors)> ImportAsync(
        string target, string source, params string[] options)
    {
        using var sandbox = fixture.Api.Sandbox();
        return await ServiceProcess.RunAsync("Token.Api", new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__tokendb"] = target,
            ["TokenEncryption__Keys"] = TokenApiFixture.EncryptionKey,
            ["Providers__SandboxBaseUrl"] = sandbox.BaseAddress!.ToString()
        }, ["import-seed", "--source", source, .. options], Timeout);
    }

    private static async Task<string> ValidAccessTokenAsync(HttpClient admin, int clientId)
    {
        var answer = await TokenPlatformApi.ReadJsonAsync(await admin.GetAsync($"/tokens/validate/{clientId}"));
        Assert.True(answer["is_valid"]!.GetValue<bool>(), answer.ToJsonString());
        return answer["access_token"]!.GetValue<string>();
    }

    /// <summary>Everything in the platform's tables that an import writes, as one value.</summary>
    private static async Task<string> DigestAsync(string database)
    {
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var digest = new NpgsqlCommand("""
            SELECT concat_ws('/',
                (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY c.id), '')) FROM clients c),
                (SELECT md5(coalesce(string_agg(b::text, '|' ORDER BY b.id), '')) FROM branches b),
                (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM tokens t),
                (SELECT last_value FROM clients_id_seq), (SELECT last_value FROM branches_id_seq))
            """, db);
        return (string)(await digest.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountAsync(string database, string table)
    {
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }
}
