using Microsoft.Extensions.Hosting;
using TokenPlatform.AppHost;
using TokenPlatform.Hosting.Local;

var builder = DistributedApplication.CreateBuilder(args);

// PostgreSQL and RabbitMQ as containers, or as local processes when no container engine answers (Infrastructure:Mode).
TokenPlatformInfrastructure infrastructure;
try
{
    infrastructure = builder.AddTokenPlatformInfrastructure();
}
catch (InfrastructureUnavailableException unavailable)
{
    // Neither can run here: the message says what to install, which a stack trace would bury.
    Console.Error.WriteLine(unavailable.Message);
    return 1;
}

var tokenDb = infrastructure.AddPostgresDatabase("tokendb");
var messaging = infrastructure.AddRabbitMQ("messaging");

// Generated and kept in the AppHost's user secrets when not set (Parameters:admin-api-key, …).
var adminApiKey = builder.AddParameter("admin-api-key",
    new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);
var encryptionKey = builder.AddParameter("token-encryption-key",
    new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var api = builder.AddProject<Projects.Token_Api>("token-api")
    .WithReference(tokenDb).WaitFor(tokenDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithEnvironment("Auth__AdminApiKey", adminApiKey)
    .WithEnvironment("TokenEncryption__Keys", encryptionKey)
    // Proxyless (on a port DCP allocates): every request comes through the gateway, which should not pay a
    // second hop.
    .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port) = (false, null))
    .WithHttpHealthCheck("/health");

// token-api applies the migrations; the refresher reports unhealthy (and refreshes nothing) until the schema is
// current.
var refresher = builder.AddProject<Projects.Token_Refresher>("token-refresher")
    .WithReference(tokenDb).WaitFor(tokenDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithEnvironment("TokenEncryption__Keys", encryptionKey)
    .WithHttpHealthCheck("/health");

// The only resource reachable from outside; 8002 is the port the legacy service's callers already use.
var gateway = builder.AddProject<Projects.Token_Gateway>("token-gateway")
    .WithReference(api).WaitFor(api)
    .WithEndpoint("http", endpoint => endpoint.Port = 8002)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/gateway/health");

// Login links and redirect URIs point at the gateway, the address browsers can reach.
api.WithEnvironment("PublicUrl__BaseUrl", gateway.GetEndpoint("http"));

IResourceBuilder<IResource>[] resources = [tokenDb, messaging, api, refresher, gateway];
if (builder.Environment.IsDevelopment())
{
    var sandbox = builder.AddSandboxProvider(gateway, api, refresher);
    resources = [.. resources, sandbox];
    // A caller of the platform, not part of it: left out of the resources the ready line waits for.
    builder.AddReviewsFetcherSample(gateway, sandbox, adminApiKey);
}

// Telemetry:TraceSampleRatio (0 to 1, default 1) and Telemetry:MaxTracesPerSecond (default 10) for every service;
// Gateway:* (limits, see Token.Gateway/GatewayOptions.cs) for the gateway.
builder.ForwardSettings("Telemetry", builder.Resources.OfType<ProjectResource>());
builder.ForwardSettings("Gateway", [gateway.Resource]);
// Refresh:* (buffers, backoff, leases; see Token.Core/Tokens/RefreshOptions.cs) for both services that refresh.
builder.ForwardSettings("Refresh", [api.Resource, refresher.Resource]);
// Webhooks:* (retry schedule, disabling, secret overlap; see Token.Core/Webhooks/WebhookOptions.cs): token-api rotates
// secrets, token-refresher delivers.
builder.ForwardSettings("Webhooks", [api.Resource, refresher.Resource]);
// Providers:TrustedOrigins:* (origins outbound calls reach as they are, e.g. an in-house OAuth server over http) for
// both services that call providers; in Development the sandbox's origin is added after them.
builder.ForwardSettings(SandboxExtensions.TrustedOriginsSection, [api.Resource, refresher.Resource]);
// Replicas:token-api and Replicas:token-refresher (default 1) run more instances of either, e.g. to see them share
// the work.
builder.WithReplicasFromSettings(api, refresher);
builder.AnnounceWhenReady(infrastructure.Mode, gateway, adminApiKey, resources);

builder.Build().Run();
return 0;
