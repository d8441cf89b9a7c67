using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace TokenPlatform.Hosting.Local;

/// <summary>
/// Starts a RabbitMQ node from the OS packages through the AppHost's own script, without Aspire: for tests that need
/// a real broker, started once per test run.
/// </summary>
public static class LocalRabbitMQ
{
    /// <summary>
    /// Starts a node on free ports (AMQP, Erlang distribution, port mapper) and returns once it accepts AMQP
    /// connections; <see cref="LocalServerProcess.ConnectionString"/> is an amqp:// URI with the node's user.
    /// Dispose the result to stop the node.
    /// </summary>
    /// <param name="dataDirectory">A folder that does not exist yet; it is removed again.</param>
    /// <exception cref="InfrastructureUnavailableException">RabbitMQ is not installed.</exception>
    /// <exception cref="TimeoutException">
    /// Not ready within <see cref="LocalServerProcess.ReadinessTimeout"/>; the message has the node's last lines.
    /// </exception>
    /// <exception cref="InvalidOperationException">The node stopped while starting; the message says why.</exception>
    public static Task<LocalServerProcess> StartAsync(
        string dataDirectory, CancellationToken cancellationToken = default)
    {
        var binaries = LocalServerProcess.RequireBinaries(postgres: false, rabbitMQ: true);
        return LocalServerProcess.StartAsync(
            port =>
            {
                var password = LocalServerProcess.NewPassword();
                return (LocalServerScript.RabbitMQ(dataDirectory, ephemeral: true, password, binaries),
                    $"amqp://{LocalServerScript.RabbitMQUser}:{password}@127.0.0.1:{port}");
            },
            AcceptsConnectionsAsync, cancellationToken);
    }

    private static async Task<bool> AcceptsConnectionsAsync(
        string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }
                .CreateConnectionAsync(cancellationToken);
            return true;
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }
}
