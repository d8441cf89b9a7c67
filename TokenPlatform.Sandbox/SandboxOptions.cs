namespace TokenPlatform.Sandbox;

/// <summary>The <c>Sandbox</c> configuration section.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>SQLite file for clients and tokens; empty means a throw-away file under the temp directory.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>Initial value of the <c>auto_approve</c> switch.</summary>
    public bool AutoApprove { get; init; }

    /// <summary>Clients registered (or updated) at start.</summary>
    public List<SandboxClient> Clients { get; init; } = [];
}
