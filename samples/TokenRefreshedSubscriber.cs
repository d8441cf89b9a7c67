#:sdk Microsoft.NET.Sdk.Web
#:package MassTransit.RabbitMQ
#:project ../Token.Contracts/Token.Contracts.csproj
// Another service (say, the review fetcher) that follows its clients' tokens through TokenRefreshed events.
// docs/integration.md explains it; run it next to the platform with the broker's URL from the Aspire dashboard
// (resource "messaging", connection string):
//   dotnet run samples/TokenRefreshedSubscriber.cs -- amqp://USER:PASSWORD@localhost:PORT
using MassTransit;
using Token.Contracts;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<TokenVersions>();
builder.Services.AddMassTransit(bus =>
{
    // A durable queue of this service's own: what is published while it is down waits for it.
    bus.AddConsumer<TokenRefreshedConsumer>().Endpoint(endpoint => endpoint.Name = "review-fetcher-token-refreshed");
    bus.UsingRabbitMq((context, rabbit) =>
    {
        rabbit.Host(new Uri(args.FirstOrDefault() ?? "amqp://guest:guest@localhost:5672"));
        rabbit.ConfigureEndpoints(context);
    });
});
await builder.Build().RunAsync();

/// <summary>
/// The newest token version seen per client, and the events already handled. Delivery is at least once and not
/// ordered, so a repeated event id and a version older than the one held are both ignored. A real service keeps
/// these next to its own data, in the same transaction as whatever it does with the event.
/// </summary>
sealed class TokenVersions
{
    private readonly HashSet<Guid> _handled = [];
    private readonly Dictionary<int, long> _newest = [];

    public bool IsNews(TokenRefreshed refreshed)
    {
        lock (_handled)
        {
            if (!_handled.Add(refreshed.EventId)
                || _newest.GetValueOrDefault(refreshed.ClientId) >= refreshed.TokenVersion)
            {
                return false;
            }
            _newest[refreshed.ClientId] = refreshed.TokenVersion;
            return true;
        }
    }
}

sealed class TokenRefreshedConsumer(TokenVersions versions, ILogger<TokenRefreshedConsumer> logger)
    : IConsumer<TokenRefreshed>
{
    public Task Consume(ConsumeContext<TokenRefreshed> context)
    {
        var refreshed = context.Message;
        if (!versions.IsNews(refreshed))
        {
            logger.LogInformation("Ignored event {EventId}: already handled, or older than the version held",
                refreshed.EventId);
            return Task.CompletedTask;
        }
        // The event never carries the token: ask GET /tokens/validate/{client_id} when you next need it.
        logger.LogInformation(
            "Client {ClientId} (branches {BranchIds}) has token version {TokenVersion}, valid until {ExpiresAt}",
            refreshed.ClientId, string.Join(", ", refreshed.BranchIds), refreshed.TokenVersion, refreshed.ExpiresAt);
        return Task.CompletedTask;
    }
}
