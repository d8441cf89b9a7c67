namespace ReviewsFetcher;

/// <summary>What one fetch found for a branch.</summary>
public sealed record BranchReviews(
    string BranchId, int ClientId, string Location, int ReviewCount, double AverageRating);
