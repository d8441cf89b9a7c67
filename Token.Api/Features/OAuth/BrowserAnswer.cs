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

    public static Task WritePageAsync(HttpContext context, string title, string detail, bool success) =>
        WriteAsync(context, title, success ? "#1a7f37" : "#cf222e", $"<p>{HtmlEncoder.Default.Encode(detail)}</p>",
            formTargets: "'none'");

    /// <summary>
    /// A page whose one button posts <paramref name="fields"/> to <paramref name="action"/> (a path of this
    /// service), which answers with a redirect to <paramref name="redirectOrigin"/>.
    /// </summary>
    public static Task WriteFormPageAsync(
        HttpContext context, string title, string detail, string action, IReadOnlyDictionary<string, string> fields,
        string button, string redirectOrigin)
    {
        var encode = HtmlEncoder.Default;
        var hidden = string.Concat(fields.Select(field =>
            $"""<input type="hidden" name="{encode.Encode(field.Key)}" value="{encode.Encode(field.Value)}">"""));
        return WriteAsync(context, title, "#1f2328", $"""
            <p>{encode.Encode(detail)}</p>
            <form method="post" action="{encode.Encode(action)}">{hidden}
            <button type="submit">{encode.Encode(button)}</button></form>
            """,
            // Some browsers hold the redirect that answers a form to form-action as well.
            formTargets: $"'self' {redirectOrigin}");
    }

    private static Task WriteAsync(HttpContext context, string title, string color, string body, string formTargets)
    {
        // No script, frame or foreign resource on any of these pages; none may be framed (a consent button under
        // someone else's page is clickjacking), and no link they lead to learns the address, which may hold a ticket.
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; " +
            $"form-action {formTargets}; frame-ancestors 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        context.Response.ContentType = "text/html; charset=utf-8";
        var encode = HtmlEncoder.Default;
        return context.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{encode.Encode(title)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
            h1{color:{{color}};font-size:1.5rem}p{line-height:1.5}button{font:inherit;padding:.5rem 1.25rem}</style>
            </head>
            <body><h1>{{encode.Encode(title)}}</h1>{{body}}</body></html>
            """, context.RequestAborted);
    }
}
