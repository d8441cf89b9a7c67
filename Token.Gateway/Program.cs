using Token.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenApiProxy();

var app = builder.Build();

app.MapReverseProxy();
// Every root path belongs to token-api (its /health is the seed's contract), so the gateway's own probes live under /gateway.
app.MapDefaultEndpoints(prefix: "/gateway");

app.Run();
