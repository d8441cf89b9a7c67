namespace TokenPlatform.EndToEnd.Tests;

/// <summary>The platform as callers reach it: token-api through the gateway, the sandbox and the database.</summary>
public static class PlatformApi
{
    public static TokenPlatformApi Api(this DistributedApplication app) => new(new PlatformEndpoints(
        Api: apiKey =>
        {
            var client = app.CreateHttpClient("token-gateway");
            if (apiKey is not null)
            {
                client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
            }
            return client;
        },
        Sandbox: () => app.CreateHttpClient("sandbox"),
        ConnectionString: async () => (await app.GetConnectionStringAsync("tokendb"))!,
        // Links name the gateway's fixed port 8002; in tests the gateway listens elsewhere.
        Reachable: url =>
        {
            var gateway = app.GetEndpoint("token-gateway", "http");
            return new UriBuilder(new Uri(url)) { Host = gateway.Host, Port = gateway.Port }.Uri.ToString();
        },
        Platform.AdminApiKey,
        CallbackUrl: "http://localhost:8002/auth/callback"));

    /// <summary>Every console line the resource has written so far.</summary>
    public static IReadOnlyList<string> LogLines(this DistributedApplication app, string resource) =>
        app.Services.GetRequiredService<ResourceLogs>().Of(resource);
}
