using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenPlatform.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = TokenPlatformInfrastructure.Create(builder);
var tokenDb = infrastructure.AddPostgresDatabase("tokendb");
var messaging = infrastructure.AddRabbitMQ("messaging");

var api = builder.AddProject<Projects.Token_Api>("token-api")
    .WithReference(tokenDb).WaitFor(tokenDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Token_Refresher>("token-refresher")
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

// The only resource reachable from outside; 8002 is the port the seed service's callers already use.
var gateway = builder.AddProject<Projects.Token_Gateway>("token-gateway")
    .WithReference(api).WaitFor(api)
    .WithEndpoint("http", endpoint => endpoint.Port = 8002)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/gateway/health");

builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (@event, _) =>
{
    @event.Services.GetRequiredService<ILogger<Program>>().LogInformation(
        "TokenPlatform is ready ({Mode} infrastructure): gateway at {GatewayUrl}", infrastructure.Mode, gateway.GetEndpoint("http").Url);
    return Task.CompletedTask;
});

builder.Build().Run();
