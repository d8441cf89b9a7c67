using Microsoft.Extensions.Configuration;

namespace TokenPlatform.Hosting.Local;

public static class TokenPlatformInfrastructureExtensions
{
    /// <summary>
    /// Decides where PostgreSQL and RabbitMQ run (<c>Infrastructure:Mode</c>, see
    /// <see cref="InfrastructureModeResolver"/>); add them with the result's
    /// <see cref="TokenPlatformInfrastructure.AddPostgresDatabase"/> and
    /// <see cref="TokenPlatformInfrastructure.AddRabbitMQ"/>.
    /// </summary>
    /// <exception cref="InfrastructureUnavailableException">
    /// Neither way can run on this machine; the message says what to install.
    /// </exception>
    public static TokenPlatformInfrastructure AddTokenPlatformInfrastructure(
        this IDistributedApplicationBuilder builder)
    {
        var binaries = MachineProbe.FindLocalBinaries();
        var mode = InfrastructureModeResolver.Resolve(
            builder.Configuration["Infrastructure:Mode"], MachineProbe.ContainerEngineAnswers, binaries,
            MachineProbe.IsRoot);
        return new TokenPlatformInfrastructure(builder, mode, binaries);
    }
}
