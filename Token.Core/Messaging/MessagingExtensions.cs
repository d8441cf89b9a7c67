using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Token.Core.Messaging;

public static class MessagingExtensions
{
    /// <summary>The Aspire resource and connection-string name of the broker.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// A MassTransit bus on the <c>messaging</c> broker. MassTransit adds its own health check
    /// (tagged <c>ready</c>), so <c>/health</c> fails while the bus is not connected.
    /// </summary>
    public static TBuilder AddTokenMessaging<TBuilder>(
        this TBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set; the AppHost provides it.");

        builder.Services.AddMassTransit(bus =>
        {
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }
}
