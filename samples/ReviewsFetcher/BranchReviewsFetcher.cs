using System.Diagnostics;
using System.Net.Http.Json;
using Token.Client;

namespace ReviewsFetcher;

/// <summary>
/// Reads each branch's reviews from the provider's API, as the client that owns the branch: the platform lists the
/// branches, and the bearer handler puts that client's token on the request (refreshing it once on a 401).
/// </summary>
public sealed class BranchReviewsFetcher(
    ITokenPlatformClient platform, IHttpClientFactory httpClients, ILogger<BranchReviewsFetcher> logger)
{
    public const string HttpClientName = "business-profile";
    public const string ActivitySourceName = "ReviewsFetcher";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>The client a request to the provider is made for, which the bearer handler reads.</summary>
    private static readonly HttpRequestOptionsKey<int> ClientIdKey = new("TokenPlatform.ClientId");

    public static int ClientIdOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(ClientIdKey, out var clientId)
            ? clientId
            : throw new InvalidOperationException("A request to the provider must name its client.");

    /// <summary>
    /// The reviews of every active branch that names its location; a branch that fails (its client has no usable
    /// token, the provider refuses) is logged and left out, so that one does not stop the others.
    /// </summary>
    public async Task<IReadOnlyList<BranchReviews>> FetchAllAsync(CancellationToken ct = default)
    {
        var fetched = new List<BranchReviews>();
        foreach (var branch in await platform.GetAllBranchesAsync(ct))
        {
            if (branch.IsActive && LocationOf(branch) is { } location
                && await FetchAsync(branch, location, ct) is { } reviews)
            {
                fetched.Add(reviews);
            }
        }
        return fetched;
    }

    private async Task<BranchReviews?> FetchAsync(PlatformBranch branch, string location, CancellationToken ct)
    {
        using var activity = Source.StartActivity("fetch reviews");
        activity?.SetTag("branch.id", branch.BranchId);
        activity?.SetTag("tokenplatform.client_id", branch.ClientId);
        activity?.SetTag("business_profile.location", location);
        try
        {
            using var http = httpClients.CreateClient(HttpClientName);
            // One page (Google's largest) is enough for the summary; a service that keeps the reviews follows
            // nextPageToken.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v4/{location}/reviews?pageSize=50");
            request.Options.Set(ClientIdKey, branch.ClientId);
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            var list = await response.Content.ReadFromJsonAsync<ReviewsList>(ct)
                ?? throw new HttpRequestException("The provider answered without a body.");

            var reviews = new BranchReviews(
                branch.BranchId, branch.ClientId, location, list.TotalReviewCount ?? 0, list.AverageRating ?? 0);
            activity?.SetTag("business_profile.review_count", reviews.ReviewCount);
            logger.LogInformation(
                "Branch {BranchId} (client {ClientId}, {Location}) has {ReviewCount} reviews, average rating " +
                "{AverageRating}", reviews.BranchId, reviews.ClientId, location, reviews.ReviewCount,
                reviews.AverageRating);
            return reviews;
        }
        // Whatever went wrong (no usable token, the provider's answer, a timeout), it was this branch's alone.
        catch (Exception exception) when (!ct.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            logger.LogWarning(
                "No reviews for branch {BranchId} (client {ClientId}): {Reason}", branch.BranchId, branch.ClientId,
                exception.Message);
            return null;
        }
    }

    /// <summary>
    /// <c>accounts/{account}/locations/{location}</c> from the branch's ids, which are kept either bare (<c>77</c>)
    /// or as Google's resource names (<c>accounts/77</c>, <c>locations/42</c>); null when one is missing.
    /// </summary>
    private static string? LocationOf(PlatformBranch branch) =>
        Id(branch.AccountId, "accounts/") is { } account && Id(branch.LocationId, "locations/") is { } location
            ? $"accounts/{account}/locations/{location}"
            : null;

    private static string? Id(string? value, string prefix) =>
        string.IsNullOrWhiteSpace(value)
            ? null
            : Uri.EscapeDataString(value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value);
}
