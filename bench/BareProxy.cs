#:sdk Microsoft.NET.Sdk.Web
#:package Yarp.ReverseProxy
// Baseline for bench/latency.sh: a bare YARP forwarder (no rate limiting, no telemetry, no access log, no
// edge rules) in front of token-api, i.e. what the extra hop alone costs on this machine.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddHttpForwarder();
var app = builder.Build();
app.MapForwarder("/{**path}", app.Configuration["Target"]!);
app.Run();
