namespace TokenPlatform.Testing;

/// <summary>
/// Finds the processes of one run of a local server by its data folder, in their arguments or environment.
/// </summary>
public static class ServerProcesses
{
    public static IReadOnlyList<string> Using(string dataDirectory) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Where(dir => int.TryParse(Path.GetFileName(dir), out var pid) && pid != Environment.ProcessId)
            .Where(dir => Mentions(Path.Combine(dir, "cmdline"), dataDirectory)
                || Mentions(Path.Combine(dir, "environ"), dataDirectory))
            .Select(dir => $"{Path.GetFileName(dir)}: {Read(Path.Combine(dir, "cmdline")).Replace('\0', ' ')}")];

    private static bool Mentions(string file, string text) => Read(file).Contains(text, StringComparison.Ordinal);

    private static string Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The process ended while we looked, or it is not ours to read.
            return "";
        }
    }
}
