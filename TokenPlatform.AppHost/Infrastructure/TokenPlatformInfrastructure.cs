using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace TokenPlatform.AppHost.Infrastructure;

/// <summary>
/// Adds PostgreSQL and RabbitMQ either as containers or as local processes (see <see cref="InfrastructureModeResolver"/>).
/// Both kinds expose the same connection strings and health checks, so services reference them the same way.
/// </summary>
public sealed class TokenPlatformInfrastructure
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly LocalBinaries _binaries;
    private readonly bool _ephemeral;
    private readonly string _dataRoot;

    private TokenPlatformInfrastructure(IDistributedApplicationBuilder builder, InfrastructureMode mode, LocalBinaries binaries)
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

    public static TokenPlatformInfrastructure Create(IDistributedApplicationBuilder builder)
    {
        var binaries = MachineProbe.FindLocalBinaries();
        var mode = InfrastructureModeResolver.Resolve(
            builder.Configuration["Infrastructure:Mode"], MachineProbe.ContainerEngineAnswers, binaries, MachineProbe.IsRoot);
        return new TokenPlatformInfrastructure(builder, mode, binaries);
    }

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

        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(_builder, $"{name}-password", special: false);
        var dataDirectory = DataDirectoryFor(name);
        var launch = LocalServerLaunch.ForScript(
            Script("postgres-local.sh"), "postgres-local", [dataDirectory, Flag(_ephemeral), name], MachineProbe.IsRoot, serviceUser: "postgres");
        var resource = new LocalPostgresResource(name, launch.Command, name, password, dataDirectory);

        var connectionString = ConnectionStringOnceAvailable(resource);
        var healthCheck = $"{name}_check";
        _builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString(), name: healthCheck);

        return AddLocalServer(resource, launch, portVariable: "PGPORT", owner: MachineProbe.IsRoot ? "postgres" : null)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["POSTGRES_PASSWORD"] = password;
                context.EnvironmentVariables["PG_BIN"] = _binaries.PostgresBinDirectory!;
            })
            .WithHealthCheck(healthCheck);
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name)
    {
        if (Mode == InfrastructureMode.Containers)
        {
            var broker = _builder.AddRabbitMQ(name);
            return _ephemeral ? broker : broker.WithDataVolume();
        }

        // Generated without special characters: the password goes into an amqp:// URI.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(_builder, $"{name}-password", special: false);
        var dataDirectory = DataDirectoryFor(name);
        var launch = LocalServerLaunch.ForScript(
            Script("rabbitmq-local.sh"), "rabbitmq-local", [dataDirectory, Flag(_ephemeral)], MachineProbe.IsRoot, serviceUser: null);
        var resource = new LocalRabbitMQResource(name, launch.Command, "tokenplatform", password, dataDirectory);

        var connectionString = ConnectionStringOnceAvailable(resource);
        var healthCheck = $"{name}_check";
        IConnection? connection = null;
        _builder.Services.AddHealthChecks().AddRabbitMQ(
            async _ => connection ??= await new ConnectionFactory { Uri = new Uri(connectionString()) }.CreateConnectionAsync(),
            name: healthCheck);

        return AddLocalServer(resource, launch, portVariable: "RABBITMQ_NODE_PORT", owner: null)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["RABBITMQ_USER"] = resource.UserName;
                context.EnvironmentVariables["RABBITMQ_PASSWORD"] = password;
                context.EnvironmentVariables["RABBITMQ_SERVER"] = _binaries.RabbitMQServer!;
                // Erlang's distribution port and port mapper would otherwise be the fixed 25672 and 4369,
                // shared by every node on the machine; each run gets its own.
                context.EnvironmentVariables["RABBITMQ_DIST_PORT"] = MachineProbe.FreeTcpPort().ToString();
                context.EnvironmentVariables["ERL_EPMD_PORT"] = MachineProbe.FreeTcpPort().ToString();
            })
            .WithHealthCheck(healthCheck);
    }

    private Func<string> ConnectionStringOnceAvailable(IResourceWithConnectionString resource)
    {
        string? value = null;
        _builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            value = await resource.ConnectionStringExpression.GetValueAsync(ct));
        return () => value ?? throw new InvalidOperationException($"The connection string of '{resource.Name}' is not available yet.");
    }

    private string DataDirectoryFor(string resourceName) =>
        _ephemeral ? $"{_dataRoot}-{resourceName}" : Path.Combine(_dataRoot, resourceName);

    /// <summary>
    /// Adds the server with its launch arguments and its TCP endpoint, whose port Aspire allocates and passes in
    /// <paramref name="portVariable"/>. Its data folder is created right before it starts (so an AppHost that fails
    /// earlier leaves nothing behind), owned by <paramref name="owner"/> when given.
    /// </summary>
    private IResourceBuilder<T> AddLocalServer<T>(T server, LocalServerLaunch launch, string portVariable, string? owner) where T : LocalServerResource =>
        _builder.AddResource(server)
            .WithArgs([.. launch.Arguments])
            // Proxyless: the server listens on the port itself. Through DCP's proxy every query and every message
            // crossed one more process, which cost more CPU than the database's own work per refresh.
            .WithEndpoint(name: LocalServerResource.EndpointName, scheme: "tcp", env: portVariable, isProxied: false)
            .OnBeforeResourceStarted(async (_, @event, ct) =>
            {
                if (OperatingSystem.IsWindows())
                {
                    throw new PlatformNotSupportedException("Local infrastructure runs on Linux and macOS; on Windows use Infrastructure:Mode=containers.");
                }

                Directory.CreateDirectory(server.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                if (owner is not null)
                {
                    using var chown = Process.Start("chown", [$"{owner}:{owner}", server.DataDirectory]);
                    await chown.WaitForExitAsync(ct);
                }
                if (_ephemeral)
                {
                    // The server's own script removes the folder when the server stops; this catches a server that was killed.
                    @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DeleteDirectory(server.DataDirectory));
                }
            });

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string DefaultDataRoot() => MachineProbe.IsRoot
        ? "/var/lib/tokenplatform"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "tokenplatform");

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Script(string fileName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(fileName)
            ?? throw new InvalidOperationException($"Embedded script {fileName} is missing.");
        return new StreamReader(stream).ReadToEnd();
    }
}
