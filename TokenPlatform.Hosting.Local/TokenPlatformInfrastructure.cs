using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace TokenPlatform.Hosting.Local;

/// <summary>
/// Adds PostgreSQL and RabbitMQ either as containers or as local processes (see
/// <see cref="InfrastructureModeResolver"/>). Both kinds expose the same connection strings and health checks, so
/// services reference them the same way.
/// </summary>
public sealed class TokenPlatformInfrastructure
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly LocalBinaries _binaries;
    private readonly bool _ephemeral;
    private readonly string _dataRoot;

    internal TokenPlatformInfrastructure(
        IDistributedApplicationBuilder builder, InfrastructureMode mode, LocalBinaries binaries)
    {
        _builder = builder;
        _binaries = binaries;
        Mode = mode;
        _ephemeral = builder.Configuration.GetValue("Infrastructure:Ephemeral", false);
        // Test runs get a fresh folder per run that is removed again; `dotnet run` keeps one stable folder so
        // clients and tokens survive a restart.
        _dataRoot = _ephemeral
            ? Path.Combine(Path.GetTempPath(), $"tokenplatform-{Guid.NewGuid():N}"[..22])
            : builder.Configuration["Infrastructure:DataDirectory"] ?? DefaultDataRoot();
    }

    public InfrastructureMode Mode { get; }

    public IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(string name)
    {
        if (Mode == InfrastructureMode.Containers)
        {
            var server = _builder.AddPostgres("postgres");
            if (!_ephemeral)
            {
                server.WithDataVolume();
            }
            return server.AddDatabase(name);
        }

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(
            _builder, $"{name}-password", special: false);
        var script = LocalServerScript.Postgres(DataDirectoryFor(name), _ephemeral, name, password, _binaries);
        var resource = new LocalPostgresResource(name, script.Launch.Command, name, password, script.DataDirectory);

        var connectionString = ConnectionStringOnceAvailable(resource);
        var healthCheck = $"{name}_check";
        _builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString(), name: healthCheck);

        return AddLocalServer(resource, script).WithHealthCheck(healthCheck);
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name)
    {
        if (Mode == InfrastructureMode.Containers)
        {
            var broker = _builder.AddRabbitMQ(name);
            return _ephemeral ? broker : broker.WithDataVolume();
        }

        // Generated without special characters: the password goes into an amqp:// URI.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(
            _builder, $"{name}-password", special: false);
        var script = LocalServerScript.RabbitMQ(DataDirectoryFor(name), _ephemeral, password, _binaries);
        var resource = new LocalRabbitMQResource(
            name, script.Launch.Command, LocalServerScript.RabbitMQUser, password, script.DataDirectory);

        var connectionString = ConnectionStringOnceAvailable(resource);
        var healthCheck = $"{name}_check";
        IConnection? connection = null;
        _builder.Services.AddHealthChecks().AddRabbitMQ(
            async _ => connection ??= await new ConnectionFactory { Uri = new Uri(connectionString()) }
                .CreateConnectionAsync(),
            name: healthCheck);

        return AddLocalServer(resource, script).WithHealthCheck(healthCheck);
    }

    private Func<string> ConnectionStringOnceAvailable(IResourceWithConnectionString resource)
    {
        string? value = null;
        _builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            value = await resource.ConnectionStringExpression.GetValueAsync(ct));
        return () => value
            ?? throw new InvalidOperationException($"The connection string of '{resource.Name}' is not available yet.");
    }

    private string DataDirectoryFor(string resourceName) =>
        _ephemeral ? $"{_dataRoot}-{resourceName}" : Path.Combine(_dataRoot, resourceName);

    /// <summary>
    /// Adds the server with its script's arguments and variables, and its TCP endpoint, whose port Aspire allocates
    /// and passes in the script's port variable.
    /// </summary>
    private IResourceBuilder<T> AddLocalServer<T>(T server, LocalServerScript script) where T : LocalServerResource =>
        _builder.AddResource(server)
            .WithArgs([.. script.Launch.Arguments])
            // Proxyless: the server listens on the port itself. Through DCP's proxy every query and every message
            // crossed one more process, which cost more CPU than the database's own work per refresh.
            .WithEndpoint(
                name: LocalServerResource.EndpointName, scheme: "tcp", env: script.PortVariable, isProxied: false)
            .WithEnvironment(context =>
            {
                foreach (var (variable, value) in script.Environment())
                {
                    context.EnvironmentVariables[variable] = value;
                }
            })
            .OnBeforeResourceStarted(async (_, @event, ct) =>
            {
                await script.PrepareDataDirectoryAsync(ct);
                if (_ephemeral)
                {
                    // The server's own script removes the folder when the server stops; this catches a server
                    // that was killed.
                    @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped
                        .Register(script.DeleteDataDirectory);
                }
            });

    private static string DefaultDataRoot() => MachineProbe.IsRoot
        ? "/var/lib/tokenplatform"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "tokenplatform");
}
