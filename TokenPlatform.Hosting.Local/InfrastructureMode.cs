namespace TokenPlatform.Hosting.Local;

public enum InfrastructureMode
{
    /// <summary>PostgreSQL and RabbitMQ run as containers (<c>AddPostgres</c>, <c>AddRabbitMQ</c>).</summary>
    Containers,

    /// <summary>PostgreSQL and RabbitMQ run as local processes from the OS packages.</summary>
    Local
}

/// <summary>Where the local servers' programs were found; <c>null</c> when missing.</summary>
public sealed record LocalBinaries(string? PostgresBinDirectory, string? RabbitMQServer, string? RunUser)
{
    public IReadOnlyList<string> Missing(bool isRoot) => Missing(postgres: true, rabbitMQ: true, isRoot);

    /// <summary>What is missing to run only the servers asked for; runuser is PostgreSQL's as root.</summary>
    public IReadOnlyList<string> Missing(bool postgres, bool rabbitMQ, bool isRoot) =>
    [
        .. postgres && PostgresBinDirectory is null ? ["PostgreSQL (initdb, postgres)"] : Array.Empty<string>(),
        .. rabbitMQ && RabbitMQServer is null ? ["RabbitMQ (rabbitmq-server)"] : Array.Empty<string>(),
        .. postgres && isRoot && RunUser is null
            ? ["runuser (util-linux), needed to run PostgreSQL as root"]
            : Array.Empty<string>()
    ];
}

public static class InfrastructureModeResolver
{
    public const string InstallCommand = "sudo apt-get install -y postgresql rabbitmq-server";

    /// <summary>
    /// Applies <c>Infrastructure:Mode</c>: <c>containers</c> and <c>local</c> are taken as said; <c>auto</c> (or
    /// unset) takes containers when a container engine answers, otherwise local processes.
    /// </summary>
    /// <exception cref="InfrastructureUnavailableException">
    /// The chosen mode cannot run on this machine; the message says what to install.
    /// </exception>
    public static InfrastructureMode Resolve(
        string? configuredMode, Func<bool> containerEngineAnswers, LocalBinaries binaries, bool isRoot)
    {
        var mode = (configuredMode ?? "auto").Trim().ToLowerInvariant() switch
        {
            "containers" => InfrastructureMode.Containers,
            "local" => InfrastructureMode.Local,
            "auto" or "" => containerEngineAnswers() ? InfrastructureMode.Containers : InfrastructureMode.Local,
            var other => throw new InfrastructureUnavailableException(
                $"Infrastructure:Mode is '{other}'; use 'auto', 'containers' or 'local'.")
        };

        if (mode == InfrastructureMode.Local && binaries.Missing(isRoot) is { Count: > 0 } missing)
        {
            var engineNote = string.Equals(configuredMode, "local", StringComparison.OrdinalIgnoreCase)
                ? "Infrastructure:Mode is 'local'"
                : "No container engine answered (docker/podman)";
            throw new InfrastructureUnavailableException(
                $"{engineNote}, and these local servers are missing: {string.Join(", ", missing)}. " +
                $"Install them with `{InstallCommand}`, or start a container engine.");
        }

        return mode;
    }
}

/// <summary>PostgreSQL and RabbitMQ cannot be started the way <c>Infrastructure:Mode</c> asks.</summary>
public sealed class InfrastructureUnavailableException(string message) : Exception(message);
