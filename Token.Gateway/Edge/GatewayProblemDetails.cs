using Microsoft.AspNetCore.Mvc;

namespace Token.Gateway.Edge;

/// <summary>Every answer the gateway gives by itself is problem details.</summary>
internal static class GatewayProblemDetails
{
    public static ValueTask WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail }
        });
    }
}
