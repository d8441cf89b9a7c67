namespace ReviewsFetcher;

/// <summary>
/// The part of Google Business Profile's <c>reviews.list</c> answer (v4) this sample reads; Google leaves the
/// numbers out for a location without reviews.
/// </summary>
public sealed record ReviewsList(double? AverageRating, int? TotalReviewCount, string? NextPageToken);
