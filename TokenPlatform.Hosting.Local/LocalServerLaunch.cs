namespace TokenPlatform.Hosting.Local;

/// <summary>How a local server's wrapper script is started: the command, and the arguments after it.</summary>
public sealed record LocalServerLaunch(string Command, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// Runs <paramref name="script"/> with bash. When this process is root and the server refuses to run as root
    /// (PostgreSQL does), the script runs as <paramref name="serviceUser"/> through runuser, which passes
    /// SIGTERM on to it, so stopping the resource still stops the server.
    /// </summary>
    public static LocalServerLaunch ForScript(
        string script, string scriptName, IReadOnlyList<string> scriptArguments, bool isRoot, string? serviceUser)
    {
        string[] bash = ["bash", "-c", script, scriptName, .. scriptArguments];
        return isRoot && serviceUser is not null
            ? new LocalServerLaunch("runuser", ["-u", serviceUser, "--", .. bash])
            : new LocalServerLaunch(bash[0], bash[1..]);
    }
}
