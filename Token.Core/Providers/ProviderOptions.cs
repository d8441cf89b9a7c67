namespace Token.Core.Providers;

public sealed class ProviderOptions
{
    /// <summary>
    /// Base URL of the sandbox OAuth server; the <c>sandbox</c> provider exists only when it is set (Development).
    /// </summary>
    public string? SandboxBaseUrl { get; set; }
}
