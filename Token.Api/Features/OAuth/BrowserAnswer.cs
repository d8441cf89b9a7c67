using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;

namespace Token.Api.Features.OAuth;

/// <summary>
/// The OAuth browser endpoints answer a person with a small HTML page and a program (Accept: application/json)
/// with JSON: problem details for a failure.
/// </summary>
public static class BrowserAnswer
{
    public static bool WantsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        && !accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    public static Task FailAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        // BrowserEndpoints marks only successful answers; a failed consent's page must not be kept either.
        context.Response.Headers.CacheControl = "no-store";
        return WantsJson(context.Request)
            ? context.Response.WriteAsJsonAsync(
                new ProblemDetails
                {
                    Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}"
                },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted)
            : WritePageAsync(context, title, detail, success: false);
    }

    public static Task WritePageAsync(HttpContext context, string title, string detail, bool success)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var encode = HtmlEncoder.Default;
        var color = success ? "#1a7f37" : "#cf222e";
        return context.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{encode.Encode(title)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
            h1{color:{{color}};font-size:1.5rem}p{line-height:1.5}</style></head>
            <body><h1>{{encode.Encode(title)}}</h1><p>{{encode.Encode(detail)}}</p></body></html>
            """, context.RequestAborted);
    }
}
