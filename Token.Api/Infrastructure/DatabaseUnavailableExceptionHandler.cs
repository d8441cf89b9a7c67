using Microsoft.AspNetCore.Diagnostics;
using Token.Core.Data;

namespace Token.Api.Infrastructure;

/// <summary>
/// The database cannot be reached (<see cref="DatabaseFailures.IsUnavailable"/>): 503 with <c>Retry-After</c> and
/// problem details, not a 500. A request that meets it has written nothing (every change is one transaction), so the
/// caller can simply try again.
/// </summary>
internal sealed partial class DatabaseUnavailableExceptionHandler(
    IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Long enough for a restart or a fail-over to finish, short for a caller.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!DatabaseFailures.IsUnavailable(exception))
        {
            return false;
        }
        LogUnavailable(context.Request.Method, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = "The token store cannot be reached at the moment; nothing was changed. Try again in " +
                    $"{RetryAfterSeconds} seconds."
            }
        });
    }

    [LoggerMessage(LogLevel.Warning, "The database could not be reached for {Method} {Path}: answered 503")]
    private partial void LogUnavailable(string method, string path);
}
