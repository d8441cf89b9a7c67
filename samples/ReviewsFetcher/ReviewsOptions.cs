using System.ComponentModel.DataAnnotations;

namespace ReviewsFetcher;

/// <summary>The <c>Reviews</c> configuration section.</summary>
public sealed class ReviewsOptions
{
    public const string SectionName = "Reviews";

    /// <summary>
    /// The provider's API: <c>https://mybusiness.googleapis.com</c>, or the sandbox (<c>http://sandbox</c> through
    /// service discovery in the AppHost).
    /// </summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>How long the worker waits between two rounds over every branch.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
