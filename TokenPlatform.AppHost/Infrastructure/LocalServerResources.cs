namespace TokenPlatform.AppHost.Infrastructure;

/// <summary>A PostgreSQL server run from the OS packages that serves one database.</summary>
public sealed class LocalPostgresResource(string name, string command, string databaseName, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory: "/"), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public string DatabaseName { get; } = databaseName;
    public ParameterResource Password { get; } = password;
    public string DataDirectory { get; } = dataDirectory;
    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password};Database={DatabaseName}");
}

/// <summary>A RabbitMQ node run from the OS packages.</summary>
public sealed class LocalRabbitMQResource(string name, string command, string userName, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory: "/"), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public string UserName { get; } = userName;
    public ParameterResource Password { get; } = password;
    public string DataDirectory { get; } = dataDirectory;
    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password}@{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}
