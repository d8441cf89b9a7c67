using Token.Gateway;

var builder = WebApplication.CreateBuilder(args);

// Every root path belongs to token-api (its /health is the seed's contract), so the gateway's own probes live under /gateway.
builder.AddServiceDefaults(probePathPrefix: "/gateway");
builder.AddTokenApiProxy();

var app = builder.Build();

app.MapReverseProxy();
app.MapDefaultEndpoints();

app.Run();
