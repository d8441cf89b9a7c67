using System.Reflection;

namespace Token.Api.Features.Root;

public sealed record Response(string Service, string Version, string Status, string Docs, string Health)
{
    public static Response Current { get; } = new(
        "Token Generation Service",
        typeof(Response).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0",
        "running",
        "/docs",
        "/health");
}
