using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using OpenIddict.Abstractions;

namespace TokenPlatform.Sandbox.OAuth;

/// <summary>The page a person sees at <c>GET /connect/authorize</c> when <c>auto_approve</c> is off.</summary>
public static class ConsentPage
{
    public const string DecisionField = "decision";
    public const string Allow = "allow";
    public const string Deny = "deny";

    /// <summary>
    /// The form posts the original authorization parameters back unchanged, so OpenIddict validates the POST
    /// exactly like the GET it answers.
    /// </summary>
    public static IResult Render(
        OpenIddictRequest request, IQueryCollection parameters, AntiforgeryTokenSet antiforgery)
    {
        var html = HtmlEncoder.Default;
        var hidden = new StringBuilder();
        foreach (var (name, values) in parameters)
        {
            foreach (var value in values)
            {
                var encodedName = html.Encode(name);
                var encodedValue = html.Encode(value ?? "");
                hidden.Append($"""      <input type="hidden" name="{encodedName}" value="{encodedValue}">""")
                    .Append('\n');
            }
        }

        var fieldName = html.Encode(antiforgery.FormFieldName);
        var requestToken = html.Encode(antiforgery.RequestToken ?? "");
        hidden.Append($"""      <input type="hidden" name="{fieldName}" value="{requestToken}">""");

        var scopes = request.GetScopes();
        var scopeItems = scopes.IsEmpty
            ? "<li><em>no scopes</em></li>"
            : string.Concat(scopes.Select(scope => $"<li><code>{html.Encode(scope)}</code></li>"));

        var page = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sandbox authorization</title>
              <style>
                body { font-family: system-ui, sans-serif; background: #f3f4f6; margin: 0;
                       display: grid; place-items: center; min-height: 100vh; }
                main { background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); padding: 2rem;
                       max-width: 32rem; width: 100%; }
                h1 { font-size: 1.25rem; margin-top: 0; }
                .note { color: #6b7280; font-size: .875rem; }
                ul { padding-left: 1.25rem; } code { word-break: break-all; }
                .actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.5rem; }
                button { font-size: 1rem; padding: .5rem 1.25rem; border-radius: 8px; border: 1px solid #d1d5db;
                         background: #fff; cursor: pointer; }
                button.allow { background: #2563eb; border-color: #2563eb; color: #fff; }
              </style>
            </head>
            <body>
              <main>
                <h1><code>{{html.Encode(request.ClientId ?? "")}}</code> wants to access your account</h1>
                <p>Signed in as <strong>{{html.Encode(SandboxUser.Name)}}</strong>
                  ({{html.Encode(SandboxUser.Subject)}}).</p>
                <p>Requested scopes:</p>
                <ul>{{scopeItems}}</ul>
                <form method="post" action="{{html.Encode(SandboxPaths.Authorize)}}">
            {{hidden}}
                  <div class="actions">
                    <button type="submit" name="{{DecisionField}}" value="{{Deny}}">Deny</button>
                    <button type="submit" name="{{DecisionField}}" value="{{Allow}}" class="allow">Allow</button>
                  </div>
                </form>
                <p class="note">TokenPlatform sandbox authorization server: a stand-in for Google in development
                  and tests.</p>
              </main>
            </body>
            </html>
            """;

        return Results.Content(page, "text/html; charset=utf-8");
    }
}
