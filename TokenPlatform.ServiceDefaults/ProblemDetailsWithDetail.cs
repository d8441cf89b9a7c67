using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Problem details that always carry <c>detail</c>, which the legacy service's callers read from its FastAPI errors:
/// those ASP.NET Core makes by itself (status-code pages, unhandled exceptions) get a sentence for their status.
/// </summary>
public static class ProblemDetailsWithDetail
{
    public static IServiceCollection AddProblemDetailsWithDetail(this IServiceCollection services) =>
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= Describe(
                context.HttpContext.Request, context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));

    private static string Describe(HttpRequest request, int status) => status switch
    {
        StatusCodes.Status404NotFound => $"Nothing answers {request.Method} {request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}.",
        StatusCodes.Status415UnsupportedMediaType =>
            $"{request.Method} {request.Path} does not take a body of type '{request.ContentType}'.",
        StatusCodes.Status500InternalServerError => "The request failed on the server; its log says why.",
        StatusCodes.Status502BadGateway => "The service behind the gateway could not be reached.",
        StatusCodes.Status503ServiceUnavailable => "The service is not available now; try again later.",
        StatusCodes.Status504GatewayTimeout => "The service behind the gateway did not answer in time.",
        _ => $"The request was answered {status} ({ReasonPhrases.GetReasonPhrase(status)})."
    };
}
