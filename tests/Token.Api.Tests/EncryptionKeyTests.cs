using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Npgsql;
using Token.Core.Security;

namespace Token.Api.Tests;

[Collection(TokenApiCollection.Name)]
public sealed class EncryptionKeyTests(TokenApiFixture fixture)
{
    private static readonly string OtherKey = $"{Guid.NewGuid():N}{Guid.NewGuid():N}";

    [Fact]
    public async Task Token_api_refuses_to_start_without_a_key_the_database_uses()
    {
        await fixture.Api.CreateSandboxClientAsync();

        var refused = Assert.ThrowsAny<Exception>(() =>
            fixture.StartAnother("Development", Keys(OtherKey)).Dispose());

        Assert.Contains("TokenEncryption:Keys lacks a key the database uses", Flatten(refused));
    }

    [Fact]
    public async Task A_rotation_moves_every_readable_value_to_the_newest_key()
    {
        var client = await fixture.Api.CreateSandboxClientAsync();
        await fixture.Api.ConnectAsync(client.Id);
        try
        {
            await using var rotating = fixture.StartAnother(
                "Development", Keys(OtherKey, TokenApiFixture.EncryptionKey));
            var report = await RotateAsync(rotating);

            Assert.True(report["reencrypted"]!.GetValue<int>() >= 3, "the secret and both tokens");
            // Other tests leave values no key reads (a ciphertext moved to another row): only those stay behind.
            Assert.True(report["under_older_keys"]!.GetValue<long>() <= report["unreadable"]!.GetValue<int>());
            Assert.Equal([KeyId(OtherKey)], await KeyIdsOfAsync(client.Id));
            using var admin = rotating.CreateClient();
            admin.DefaultRequestHeaders.Add("X-API-Key", TokenApiFixture.AdminApiKey);
            var validate = await TokenPlatformApi.ReadJsonAsync(
                await admin.GetAsync($"/tokens/validate/{client.Id}"));
            Assert.True(validate["is_valid"]!.GetValue<bool>());
        }
        finally
        {
            // Back under the fixture's key, for the tests that come after.
            await using var back = fixture.StartAnother(
                "Development", Keys(TokenApiFixture.EncryptionKey, OtherKey));
            await RotateAsync(back);
        }
        Assert.Equal([KeyId(TokenApiFixture.EncryptionKey)], await KeyIdsOfAsync(client.Id));
    }

    /// <summary>The key ids of the client's secret and of its grant's tokens, as stored.</summary>
    private async Task<string[]> KeyIdsOfAsync(int clientId)
    {
        await using var db = await fixture.Api.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("""
            SELECT DISTINCT encode(substring(value from 2 for 8), 'hex') FROM (
                SELECT client_secret AS value FROM clients WHERE id = @id
                UNION ALL SELECT access_token FROM tokens WHERE client_id = @id
                UNION ALL SELECT refresh_token FROM tokens WHERE client_id = @id AND refresh_token IS NOT NULL
            ) AS secrets
            """, db);
        query.Parameters.AddWithValue("id", clientId);
        var ids = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return [.. ids];
    }

    private static string KeyId(string key) =>
        new SecretProtector(Options.Create(new SecretEncryptionOptions { Keys = key })).KeyIds[0];

    private static async Task<System.Text.Json.Nodes.JsonObject> RotateAsync(WebApplicationFactory<Program> api)
    {
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Add("X-API-Key", TokenApiFixture.AdminApiKey);
        return await TokenPlatformApi.ReadJsonAsync(await admin.PostAsync("/admin/encryption/rotate", null));
    }

    private static Dictionary<string, string?> Keys(params string[] keys) =>
        new() { ["TokenEncryption:Keys"] = string.Join(',', keys) };

    private static string Flatten(Exception exception) => exception.InnerException is null
        ? exception.Message
        : exception.Message + " " + Flatten(exception.InnerException);
}
