using Token.Gateway;
using Token.Gateway.Edge;
using Token.Gateway.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(probePathPrefix: GatewayPaths.Probes);
if (!builder.Hold(GatewaySettings.Required))
{
    return 1;
}
builder.AddIncomingRequestRules();
builder.AddCallerRateLimits();
builder.AddTokenApiProxy();

var app = builder.BuildIfOptionsHold();
if (app is null)
{
    return 1;
}

app.UseAccessLog();
app.UseIncomingRequestRules();
app.UseCallerRateLimits();
app.MapTokenApiProxy();
app.MapDefaultEndpoints();

app.Run();
return 0;
