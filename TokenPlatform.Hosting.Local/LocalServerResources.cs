namespace TokenPlatform.Hosting.Local;

/// <summary>
/// A server run as a local process from the OS packages, with its own data folder and one TCP endpoint.
/// </summary>
public abstract class LocalServerResource(string name, string command, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory: "/"), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;
    public string DataDirectory { get; } = dataDirectory;
    public EndpointReference Endpoint => new(this, EndpointName);

    public abstract ReferenceExpression ConnectionStringExpression { get; }
}

/// <summary>A PostgreSQL server that serves one database.</summary>
public sealed class LocalPostgresResource(
    string name, string command, string databaseName, ParameterResource password, string dataDirectory)
    : LocalServerResource(name, command, password, dataDirectory)
{
    public string DatabaseName { get; } = databaseName;

    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};" +
        $"Username=postgres;Password={Password};Database={DatabaseName}");
}

/// <summary>A RabbitMQ node.</summary>
public sealed class LocalRabbitMQResource(
    string name, string command, string userName, ParameterResource password, string dataDirectory)
    : LocalServerResource(name, command, password, dataDirectory)
{
    public string UserName { get; } = userName;

    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password}@" +
        $"{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}
