using MassTransit;
using Token.Contracts;

namespace Token.Api.Features.Tokens;

/// <summary>
/// Every API instance hears every change of a grant, whichever process made it, and drops what it cached before that
/// change; so a revocation stops being served everywhere as soon as its event arrives (within the cache's 30 s at
/// worst). A deactivated client's token stops being served the same way.
/// </summary>
public sealed class TokenCacheInvalidation(TokenCache cache) :
    IConsumer<TokenIssued>, IConsumer<TokenRefreshed>, IConsumer<TokenRevoked>, IConsumer<TokenReauthorizationRequired>,
    IConsumer<ClientDeactivated>
{
    /// <summary>
    /// Each instance gets a queue of its own, deleted when it stops, so that every instance hears every event.
    /// </summary>
    public static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<TokenCacheInvalidation>().Endpoint(endpoint =>
        {
            endpoint.InstanceId = Guid.NewGuid().ToString("N")[..12];
            endpoint.Temporary = true;
        });

    public Task Consume(ConsumeContext<TokenIssued> context) =>
        Drop(context.Message.ClientId, context.Message.TokenVersion);

    public Task Consume(ConsumeContext<TokenRefreshed> context) =>
        Drop(context.Message.ClientId, context.Message.TokenVersion);

    public Task Consume(ConsumeContext<TokenRevoked> context) =>
        Drop(context.Message.ClientId, context.Message.TokenVersion);

    public Task Consume(ConsumeContext<TokenReauthorizationRequired> context) =>
        Drop(context.Message.ClientId, context.Message.TokenVersion);

    // The grant's version did not change: whatever is cached for the client goes.
    public Task Consume(ConsumeContext<ClientDeactivated> context)
    {
        cache.Forget(context.Message.ClientId);
        return Task.CompletedTask;
    }

    private Task Drop(int clientId, long version)
    {
        cache.ForgetOlderThan(clientId, version);
        return Task.CompletedTask;
    }
}
