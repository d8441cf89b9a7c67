using TokenPlatform.AppHost;
using TokenPlatform.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

TokenPlatformInfrastructure infrastructure;
try
{
    infrastructure = TokenPlatformInfrastructure.Create(builder);
}
catch (InfrastructureUnavailableException unavailable)
{
    Console.Error.WriteLine(unavailable.Message);
    return 1;
}

var tokenDb = infrastructure.AddPostgresDatabase("tokendb");
var messaging = infrastructure.AddRabbitMQ("messaging");

var api = builder.AddProject<Projects.Token_Api>("token-api")
    .WithReference(tokenDb).WaitFor(tokenDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

var refresher = builder.AddProject<Projects.Token_Refresher>("token-refresher")
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

// The only resource reachable from outside; 8002 is the port the seed service's callers already use.
var gateway = builder.AddProject<Projects.Token_Gateway>("token-gateway")
    .WithReference(api).WaitFor(api)
    .WithEndpoint("http", endpoint => endpoint.Port = 8002)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/gateway/health");

builder.AnnounceWhenReady(infrastructure.Mode, gateway, [tokenDb, messaging, api, refresher, gateway]);

builder.Build().Run();
return 0;
