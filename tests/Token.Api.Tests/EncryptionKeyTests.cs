using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

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
    public async Task A_rotation_moves_every_value_to_the_newest_key_and_reports_none_left_under_older_ones()
    {
        var client = await fixture.Api.CreateSandboxClientAsync();
        await fixture.Api.ConnectAsync(client.Id);
        try
        {
            await using (var rotating =
                fixture.StartAnother("Development", Keys(OtherKey, TokenApiFixture.EncryptionKey)))
            {
                var report = await RotateAsync(rotating);
                Assert.True(report["reencrypted"]!.GetValue<int>() >= 3, "the secret and both tokens");
                Assert.Equal(0, report["under_older_keys"]!.GetValue<long>());
            }

            // The old key can go: a token-api with the new key alone starts and reads the grant.
            await using var rotated = fixture.StartAnother("Development", Keys(OtherKey));
            using var admin = rotated.CreateClient();
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
    }

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
