using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenPlatform.Sandbox.Controls;
using TokenPlatform.Sandbox.OAuth;

namespace TokenPlatform.Sandbox.Reviews;

/// <summary>
/// A protected resource shaped like Google Business Profile's reviews list (v4): what a service calls with the
/// tokens the platform keeps. Only an access token this server issued, active now, opens it.
/// </summary>
public static class ReviewsEndpoints
{
    public const string Path = "/v4/accounts/{account}/locations/{location}/reviews";

    /// <summary>Google's largest (and default) page.</summary>
    private const int MaxPageSize = 50;

    // Google's JSON is camelCase with enum names in capitals; the sandbox's own JSON is snake_case.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) }
    };

    public static WebApplication MapSandboxReviews(this WebApplication app)
    {
        app.MapGet(Path, ListAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, string account, string location, int? pageSize, string? pageToken, TokenRequestLog log)
    {
        // Only the header (RFC 6750 §2.1), as Google's APIs are called; OpenIddict alone would also read a query.
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var principal = string.IsNullOrEmpty(token) ? null : await IssuedAccessTokens.ValidateAsync(context);
        log.Record(new RecordedRequest(
            "reviews", GrantType: null, principal is null ? null : IssuedAccessTokens.ClientIdOf(principal),
            string.IsNullOrEmpty(token) ? "none" : "bearer", HasCodeVerifier: false, CodeVerifierLength: 0,
            DateTimeOffset.UtcNow, string.IsNullOrEmpty(token) ? null : Sha256(token)));
        if (principal is null)
        {
            // RFC 6750 §3.1: a request without a token gets no error code, one with a bad token invalid_token.
            context.Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(token)
                ? "Bearer realm=\"sandbox\""
                : "Bearer realm=\"sandbox\", error=\"invalid_token\", " +
                  "error_description=\"The access token is invalid, expired or revoked.\"";
            return GoogleError(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.");
        }

        var size = Math.Clamp(pageSize ?? MaxPageSize, 1, MaxPageSize);
        var reviews = FakeReviews.Of(account, location);
        var start = 0;
        if (pageToken is not null && (!int.TryParse(pageToken, CultureInfo.InvariantCulture, out start)
                                      || start < 0 || start > reviews.Count))
        {
            return GoogleError(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", "Invalid page token.");
        }

        var next = start + size < reviews.Count ? (start + size).ToString(CultureInfo.InvariantCulture) : null;
        return Results.Json(
            new ReviewsPage(
                [.. reviews.Skip(start).Take(size)],
                Math.Round(reviews.Average(review => (int)review.StarRating), 1), reviews.Count, next),
            Json);
    }

    private static string Sha256(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Google's error body: <c>{"error":{"code","message","status"}}</c>.</summary>
    private static IResult GoogleError(int code, string status, string message) =>
        Results.Json(new { error = new { code, message, status } }, Json, statusCode: code);
}
