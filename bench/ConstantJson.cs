#:sdk Microsoft.NET.Sdk.Web
// Baseline for bench/validate.sh: plain Kestrel answering a constant JSON body of the same shape and size
// as GET /tokens/validate/{client_id}, with no authentication, no cache and no framework on top.
var app = WebApplication.CreateSlimBuilder(args).Build();
var body = System.Text.Encoding.UTF8.GetBytes(
    "{\"client_id\":1,\"access_token\":\"jkHn7FmPNqmnMIBHt-fh_XwAI6IL7M7H6Gnnl87VLpE\",\"token_type\":\"Bearer\"," +
    "\"expires_at\":\"2026-11-28T16:30:50.601808+00:00\",\"is_valid\":true,\"reason\":null}");
app.MapGet("/tokens/validate/{clientId}", (HttpContext context) =>
{
    context.Response.ContentType = "application/json";
    context.Response.Headers.CacheControl = "no-store";
    return context.Response.Body.WriteAsync(body).AsTask();
});
app.Run();
