using Microsoft.AspNetCore.Diagnostics;

namespace Token.Api.Infrastructure;

/// <summary>
/// Kestrel's own refusals (body too large, malformed request) keep their status as problem details instead of becoming
/// 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }
        context.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? "Request body too large"
                    : "Bad request",
                Detail = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"Request bodies are limited to {TokenApiExtensions.MaxRequestBodyBytes} bytes."
                    : badRequest.Message
            }
        });
    }
}
