namespace Token.Gateway;

public static class GatewayPaths
{
    /// <summary>
    /// Every root path belongs to token-api (its /health is the legacy service's contract), so the gateway's own probes
    /// live here.
    /// </summary>
    public const string Probes = "/gateway";
}
