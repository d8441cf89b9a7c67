using RabbitMQ.Client;

namespace TokenPlatform.Hosting.Local.Tests;

public sealed class LocalRabbitMQTests
{
    [Fact]
    public Task A_started_node_accepts_connections_and_once_disposed_leaves_no_folder_and_no_listener() =>
        Machine.StartUseAndStop(LocalRabbitMQ.StartAsync, async rabbitMQ =>
        {
            var factory = new ConnectionFactory { Uri = new Uri(rabbitMQ.ConnectionString) };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            var queue = await channel.QueueDeclareAsync(exclusive: true);
            Assert.Equal(0u, queue.MessageCount);
        });
}
