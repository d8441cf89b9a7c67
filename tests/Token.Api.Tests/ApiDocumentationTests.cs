using System.Net;

namespace Token.Api.Tests;

[Collection(TokenApiCollection.Name)]
public sealed class ApiDocumentationTests(TokenApiFixture fixture)
{
    private static readonly string[] DocumentationPaths = ["/docs", "/redoc", "/openapi/v1.json"];

    [Theory]
    [InlineData(null, HttpStatusCode.NotFound)]
    [InlineData("false", HttpStatusCode.NotFound)]
    [InlineData("true", HttpStatusCode.OK)]
    public async Task In_Production_the_API_documentation_is_served_only_when_a_setting_turns_it_on(
        string? enabled, HttpStatusCode expected)
    {
        await using var production = fixture.StartAnother("Production", new Dictionary<string, string?>
        {
            ["ApiDocs:Enabled"] = enabled,
            // Production requires an https public URL; this instance is reached directly, not through it.
            ["PublicUrl:BaseUrl"] = "https://tokens.example.com"
        });
        using var anonymous = production.CreateClient();

        foreach (var path in DocumentationPaths)
        {
            Assert.Equal(expected, (await anonymous.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task In_Development_the_API_documentation_is_served_unless_a_setting_turns_it_off()
    {
        await using var development = fixture.StartAnother(
            "Development", new Dictionary<string, string?> { ["ApiDocs:Enabled"] = "false" });
        using var anonymous = development.CreateClient();
        using var usual = fixture.Api.Caller();

        foreach (var path in DocumentationPaths)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await usual.GetAsync(path)).StatusCode);
        }
    }
}
