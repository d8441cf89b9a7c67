using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace TokenPlatform.AppHost;

public static class SandboxExtensions
{
    /// <summary>The client the README's walk-through registers; the sandbox knows it from the start.</summary>
    public const string DemoClientId = "demo-client";
    public const string DemoClientSecret = "demo-client-secret";

    /// <summary>Origins that outbound calls reach as they are (Token.Core/Providers/ProviderOptions.cs).</summary>
    public const string TrustedOriginsSection = "Providers:TrustedOrigins";

    /// <summary>
    /// Runs TokenPlatform.Sandbox, a real OAuth 2.0 server, and makes it token-api's <c>sandbox</c> provider, so the
    /// whole consent flow works locally without Google credentials. Development only.
    /// </summary>
    /// <param name="api">token-api, which runs the consent flow; the sandbox starts after it.</param>
    /// <param name="otherCallers">Every other service that calls the provider.</param>
    public static IResourceBuilder<ProjectResource> AddSandboxProvider(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ProjectResource> api,
        params IResourceBuilder<ProjectResource>[] otherCallers)
    {
        var sandbox = builder.AddProject<Projects.TokenPlatform_Sandbox>("sandbox")
            .WithEnvironment("Sandbox__Clients__0__ClientId", DemoClientId)
            .WithEnvironment("Sandbox__Clients__0__ClientSecret", DemoClientSecret)
            .WithEnvironment(context => context.EnvironmentVariables["Sandbox__Clients__0__RedirectUris__0"] =
                ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/auth/callback"))
            // Proxyless (on a port DCP allocates), as a real provider is reached: DCP's proxy would be one more process
            // on every provider call, on the cores the refresh benchmark shares with the sandbox.
            .WithEndpoint("http", endpoint => (endpoint.IsProxied, endpoint.Port) = (false, null))
            .WithHttpHealthCheck("/health")
            // token-api only calls the sandbox when an OAuth flow runs. Starting the sandbox after token-api keeps it
            // off the start-up's critical path (RabbitMQ, then token-api, then the gateway) on a machine with few
            // cores.
            .WaitFor(api);

        // The sandbox listens on plain http on loopback, which outbound calls reach only on a trusted origin. Its
        // entry goes after those given to the AppHost (forwarded under their own indexes), never over one of them.
        var trustedIndex = builder.Configuration.GetSection(TrustedOriginsSection).GetChildren()
            .Select(origin => int.TryParse(origin.Key, out var index) ? index + 1 : 0).DefaultIfEmpty(0).Max();
        foreach (var service in (IResourceBuilder<ProjectResource>[])[api, .. otherCallers])
        {
            service.WithEnvironment("Providers__SandboxBaseUrl", sandbox.GetEndpoint("http"))
                .WithEnvironment($"Providers__TrustedOrigins__{trustedIndex}", sandbox.GetEndpoint("http"));
        }
        return sandbox;
    }
}
