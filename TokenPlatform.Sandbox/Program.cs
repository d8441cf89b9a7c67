using TokenPlatform.Sandbox.Controls;
using TokenPlatform.Sandbox.OAuth;
using TokenPlatform.Sandbox.Reviews;
using TokenPlatform.Sandbox.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSandboxStorage();
builder.AddSandboxAuthorizationServer();
builder.AddSandboxControls();

var app = builder.Build();

await app.PrepareSandboxStorageAsync();

// Recorded and, when a switch says so, failed before OpenIddict (which runs in UseAuthentication) sees them.
app.UseSandboxTokenEndpointControls();
app.UseAuthentication();

app.MapSandboxAuthorizationEndpoints();
app.MapSandboxControls();
app.MapSandboxReviews();
app.MapDefaultEndpoints();

app.Run();
