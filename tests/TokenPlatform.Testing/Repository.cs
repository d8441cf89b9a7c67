namespace TokenPlatform.Testing;

/// <summary>The checkout the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder of TokenPlatform.sln above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "TokenPlatform.sln")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException(
                $"No TokenPlatform.sln above {AppContext.BaseDirectory}");
        }
        return directory.FullName;
    }
}
