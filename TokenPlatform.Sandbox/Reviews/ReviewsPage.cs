namespace TokenPlatform.Sandbox.Reviews;

/// <summary>
/// The answer of Google Business Profile's <c>accounts.locations.reviews.list</c> (v4), in its camelCase JSON.
/// </summary>
public sealed record ReviewsPage(
    IReadOnlyList<Review> Reviews, double AverageRating, int TotalReviewCount, string? NextPageToken);

/// <param name="Name"><c>accounts/{account}/locations/{location}/reviews/{reviewId}</c>.</param>
public sealed record Review(
    string Name, string ReviewId, Reviewer Reviewer, StarRating StarRating, string Comment,
    DateTimeOffset CreateTime, DateTimeOffset UpdateTime);

public sealed record Reviewer(string DisplayName, bool IsAnonymous);

/// <summary>Written as Google's enum names, <c>ONE</c> … <c>FIVE</c>.</summary>
public enum StarRating
{
    StarRatingUnspecified,
    One,
    Two,
    Three,
    Four,
    Five
}
