using System.Security.Cryptography;
using System.Text;

namespace TokenPlatform.Sandbox.Reviews;

/// <summary>
/// The reviews of a location: made up, but the same every time for the same account and location, so a test (or a
/// sample run twice) can predict them.
/// </summary>
public static class FakeReviews
{
    private static readonly string[] Names =
        ["Ada L.", "Grace H.", "Alan T.", "Edsger D.", "Barbara L.", "Donald K.", "Margaret H.", "Linus T."];

    private static readonly string[] Comments =
    [
        "Friendly staff and quick service.", "Good, but the queue was long.", "Would come back any time.",
        "Not what I expected.", "Clean, calm and well organised.", "Prices are fair for the quality."
    ];

    // A fixed origin instead of the clock: the same location must have the same reviews on every call.
    private static readonly DateTimeOffset Latest = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Every review of the location, newest first (the API's default order).</summary>
    public static IReadOnlyList<Review> Of(string account, string location)
    {
        // A hash of the names, not string.GetHashCode, which differs from process to process.
        var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{account}/{location}")));
        var random = new Random(seed);
        var count = random.Next(3, 27);
        return [.. Enumerable.Range(0, count).Select(index =>
        {
            var reviewId = $"{(uint)seed:x8}{index:d4}";
            var created = Latest - TimeSpan.FromHours(37 * index + random.Next(0, 24));
            return new Review(
                $"accounts/{account}/locations/{location}/reviews/{reviewId}", reviewId,
                new Reviewer(Names[random.Next(Names.Length)], IsAnonymous: false),
                // 2 to 5 stars, five twice as likely as the others.
                (StarRating)Math.Min(5, random.Next(2, 7)),
                Comments[random.Next(Comments.Length)], created, created + TimeSpan.FromMinutes(random.Next(0, 90)));
        })];
    }
}
