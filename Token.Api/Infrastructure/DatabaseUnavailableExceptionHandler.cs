using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Token.Api.Infrastructure;

/// <summary>
/// The database cannot be reached (restarting, failing over, out of connections): 503 with <c>Retry-After</c> and
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
        if (!IsUnavailable(exception))
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

    /// <summary>
    /// Anywhere in the chain (EF Core wraps them): Npgsql's own failures to reach or talk to the server (network, time
    /// out, pool exhausted), or the server's refusals of a connection: class 08 (connection), 53 (too many
    /// connections, out of resources), 57 (shutting down, starting up) and 55000 (the database not accepting
    /// connections). A server error about the statement itself is still a 500.
    /// </summary>
    private static bool IsUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException { SqlState: var state })
            {
                return state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
                    || state.StartsWith("57", StringComparison.Ordinal) || state == PostgresErrorCodes.ObjectNotInPrerequisiteState;
            }
            if (exception is NpgsqlException)
            {
                return true;
            }
        }
        return false;
    }

    [LoggerMessage(LogLevel.Warning, "The database could not be reached for {Method} {Path}: answered 503")]
    private partial void LogUnavailable(string method, string path);
}
