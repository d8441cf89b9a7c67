namespace TokenPlatform.Testing;

/// <summary>The checkout the tests were built from, for the files they read (manifests, documentation).</summary>
public static class Repository
{
    public static string Root
    {
        get
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
}
