using Microsoft.Data.Sqlite;

namespace TokenPlatform.Sandbox.Storage;

/// <summary>
/// Where the SQLite file lives and whether it belongs to this process alone (then it is deleted on dispose).
/// </summary>
public sealed class SandboxDatabase(string path, bool isTemporary) : IDisposable
{
    public string Path { get; } = path;
    public bool IsTemporary { get; } = isTemporary;
    public string ConnectionString { get; } = new SqliteConnectionStringBuilder { DataSource = path }.ToString();

    public static SandboxDatabase From(SandboxOptions options) =>
        string.IsNullOrWhiteSpace(options.DatabasePath)
            ? new SandboxDatabase(
                System.IO.Path.Combine(
                    System.IO.Path.GetTempPath(),
                    $"tokenplatform-sandbox-{Environment.ProcessId}-{Guid.NewGuid():N}.db"),
                isTemporary: true)
            : new SandboxDatabase(System.IO.Path.GetFullPath(options.DatabasePath), isTemporary: false);

    public void Dispose()
    {
        if (!IsTemporary)
        {
            return;
        }

        // Pooled connections keep the file open; release them first.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-journal", Path + "-wal", Path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
