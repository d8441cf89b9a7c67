using System.Net;
using System.Text.Json;

namespace TokenPlatform.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class ReviewsResourceTests(SandboxProcess sandbox) : IAsyncLifetime
{
    public Task InitializeAsync() => sandbox.ResetAsync();

    public Task DisposeAsync() => sandbox.ResetAsync();

    [Fact]
    public async Task An_active_access_token_gets_the_locations_reviews_in_Googles_shape_the_same_on_every_call()
    {
        var client = await sandbox.RegisterClientAsync();
        var tokens = await sandbox.GetTokensAsync(client);

        var page = await ReviewsPageAsync(tokens.AccessToken);

        var reviews = page.GetProperty("reviews").EnumerateArray().ToList();
        Assert.InRange(reviews.Count, 3, 26);
        Assert.Equal(reviews.Count, page.GetProperty("totalReviewCount").GetInt32());
        Assert.False(page.TryGetProperty("nextPageToken", out var next) && next.ValueKind != JsonValueKind.Null);
        var stars = reviews.Select(review => Stars(review.GetProperty("starRating").GetString())).ToList();
        Assert.Equal(Math.Round(stars.Average(), 1), page.GetProperty("averageRating").GetDouble());
        var first = reviews[0];
        Assert.StartsWith("accounts/111/locations/222/reviews/", first.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("reviewer").GetProperty("displayName").GetString()));
        Assert.True(first.GetProperty("createTime").GetDateTimeOffset() <=
            first.GetProperty("updateTime").GetDateTimeOffset());
        Assert.Equal(page.GetRawText(), (await ReviewsPageAsync(tokens.AccessToken)).GetRawText());

        var recorded = (await sandbox.RecordedRequestsAsync())
            .Last(request => request.GetProperty("endpoint").GetString() == "reviews");
        Assert.Equal(client.Id, recorded.GetProperty("client_id").GetString());
        Assert.Equal(TokenHash.Of(tokens.AccessToken), recorded.GetProperty("token_sha256").GetString());
    }

    [Fact]
    public async Task Pages_follow_the_next_page_token_to_every_review()
    {
        var tokens = await sandbox.GetTokensAsync(await sandbox.RegisterClientAsync());
        var all = await ReviewsPageAsync(tokens.AccessToken);

        var paged = new List<string?>();
        string? pageToken = null;
        do
        {
            var query = "?pageSize=2" + (pageToken is null ? "" : $"&pageToken={pageToken}");
            var page = await ReviewsPageAsync(tokens.AccessToken, query);
            paged.AddRange(
                page.GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("reviewId").GetString()));
            pageToken = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (pageToken is not null);

        Assert.Equal(all.GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("reviewId").GetString()),
            paged);
    }

    [Fact]
    public async Task A_request_without_a_token_is_401_without_an_error_code()
    {
        using var response = await sandbox.ReviewsAsync(accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error=", challenge.Parameter);
    }

    [Fact]
    public async Task An_unknown_token_is_401_invalid_token()
    {
        await AssertRefusedAsync("not-a-token-this-sandbox-issued");
    }

    [Fact]
    public async Task An_expired_token_is_401_invalid_token()
    {
        await sandbox.SetSwitchesAsync(new { access_token_lifetime_seconds = 1 });
        var tokens = await sandbox.GetTokensAsync(await sandbox.RegisterClientAsync());
        await Task.Delay(TimeSpan.FromSeconds(2));

        await AssertRefusedAsync(tokens.AccessToken);
    }

    [Fact]
    public async Task A_revoked_token_is_401_invalid_token()
    {
        var client = await sandbox.RegisterClientAsync();
        var tokens = await sandbox.GetTokensAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.ReviewsAsync(tokens.AccessToken)).StatusCode);

        using var revoke = await sandbox.RevokeAsync(client, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        await AssertRefusedAsync(tokens.AccessToken);
    }

    private async Task AssertRefusedAsync(string accessToken)
    {
        using var response = await sandbox.ReviewsAsync(accessToken);

        var (status, body) = await SandboxApi.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("UNAUTHENTICATED", body.GetProperty("error").GetProperty("status").GetString());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter);
        var recorded = (await sandbox.RecordedRequestsAsync())
            .Last(request => request.GetProperty("endpoint").GetString() == "reviews");
        Assert.Equal(JsonValueKind.Null, recorded.GetProperty("client_id").ValueKind);
        Assert.Equal(TokenHash.Of(accessToken), recorded.GetProperty("token_sha256").GetString());
    }

    private async Task<JsonElement> ReviewsPageAsync(string accessToken, string query = "")
    {
        using var response = await sandbox.ReviewsAsync(accessToken, query: query);
        var (status, body) = await SandboxApi.ReadJsonAsync(response);
        Assert.True(status == HttpStatusCode.OK, $"The reviews resource answered {(int)status}: {body}");
        return body;
    }

    private static int Stars(string? rating) =>
        Array.IndexOf(["ONE", "TWO", "THREE", "FOUR", "FIVE"], rating) + 1 is > 0 and var stars
            ? stars
            : throw new FormatException($"Not a star rating: {rating}");
}
