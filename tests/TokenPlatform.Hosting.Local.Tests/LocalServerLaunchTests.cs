namespace TokenPlatform.Hosting.Local.Tests;

public sealed class LocalServerLaunchTests
{
    private const string Script = "echo \"$1\"";

    [Fact]
    public void As_root_a_server_that_refuses_root_runs_through_runuser_as_its_service_user()
    {
        var launch = LocalServerLaunch.ForScript(
            Script, "postgres-local", ["/data/tokendb", "true"], isRoot: true, serviceUser: "postgres");

        Assert.Equal("runuser", launch.Command);
        Assert.Equal(
            ["-u", "postgres", "--", "bash", "-c", Script, "postgres-local", "/data/tokendb", "true"],
            launch.Arguments);
    }

    [Fact]
    public void As_another_user_the_script_runs_directly_as_that_user()
    {
        var launch = LocalServerLaunch.ForScript(
            Script, "postgres-local", ["/data/tokendb", "false"], isRoot: false, serviceUser: "postgres");

        Assert.Equal("bash", launch.Command);
        Assert.Equal(["-c", Script, "postgres-local", "/data/tokendb", "false"], launch.Arguments);
    }

    [Fact]
    public void A_server_without_a_service_user_runs_as_root_when_root()
    {
        var launch = LocalServerLaunch.ForScript(
            Script, "rabbitmq-local", ["/data/messaging", "true"], isRoot: true, serviceUser: null);

        Assert.Equal("bash", launch.Command);
        Assert.Equal(["-c", Script, "rabbitmq-local", "/data/messaging", "true"], launch.Arguments);
    }
}
