namespace TokenPlatform.Hosting.Local.Tests;

public sealed class InfrastructureModeResolverTests
{
    private static readonly LocalBinaries AllInstalled =
        new("/usr/lib/postgresql/15/bin", "/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/runuser");
    private static readonly LocalBinaries NoneInstalled = new(null, null, null);

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData("AUTO")]
    public void Auto_takes_containers_when_a_container_engine_answers(string? configured) =>
        Assert.Equal(
            InfrastructureMode.Containers,
            InfrastructureModeResolver.Resolve(configured, () => true, AllInstalled, isRoot: false));

    [Fact]
    public void Auto_takes_local_processes_when_no_container_engine_answers() =>
        Assert.Equal(
            InfrastructureMode.Local,
            InfrastructureModeResolver.Resolve("auto", () => false, AllInstalled, isRoot: false));

    [Fact]
    public void Local_is_taken_even_when_a_container_engine_answers() =>
        Assert.Equal(
            InfrastructureMode.Local,
            InfrastructureModeResolver.Resolve("local", () => true, AllInstalled, isRoot: true));

    [Fact]
    public void Containers_is_taken_without_asking_the_engine_or_looking_for_local_servers()
    {
        var asked = false;
        var mode = InfrastructureModeResolver.Resolve("containers", () => asked = true, NoneInstalled, isRoot: false);

        Assert.Equal(InfrastructureMode.Containers, mode);
        Assert.False(asked);
    }

    [Fact]
    public void Nothing_to_run_on_stops_with_one_message_naming_what_is_missing_and_how_to_install_it()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureModeResolver.Resolve("auto", () => false, NoneInstalled, isRoot: true));

        Assert.Contains("No container engine answered", error.Message);
        Assert.Contains("PostgreSQL (initdb, postgres)", error.Message);
        Assert.Contains("RabbitMQ (rabbitmq-server)", error.Message);
        Assert.Contains("runuser", error.Message);
        Assert.Contains(InfrastructureModeResolver.InstallCommand, error.Message);
    }

    [Fact]
    public void Only_the_missing_server_is_named()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureModeResolver.Resolve(
                "local", () => false, AllInstalled with { RabbitMQServer = null }, isRoot: false));

        Assert.Contains("RabbitMQ", error.Message);
        Assert.DoesNotContain("PostgreSQL", error.Message);
        Assert.DoesNotContain("runuser", error.Message);
    }

    [Fact]
    public void Runuser_is_only_needed_as_root()
    {
        var withoutRunUser = AllInstalled with { RunUser = null };

        Assert.Equal(
            InfrastructureMode.Local,
            InfrastructureModeResolver.Resolve("local", () => false, withoutRunUser, isRoot: false));
        Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureModeResolver.Resolve("local", () => false, withoutRunUser, isRoot: true));
    }

    [Fact]
    public void An_unknown_mode_is_refused_with_the_allowed_values()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureModeResolver.Resolve("kubernetes", () => true, AllInstalled, isRoot: false));

        Assert.Contains("'auto', 'containers' or 'local'", error.Message);
    }
}
