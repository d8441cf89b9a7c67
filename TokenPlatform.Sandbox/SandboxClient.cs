namespace TokenPlatform.Sandbox;

public sealed class SandboxClient
{
    public string ClientId { get; init; } = "";
    public string ClientSecret { get; init; } = "";
    public List<string> RedirectUris { get; init; } = [];
}
