using System.Reflection;
using System.Text.Json.Serialization;

namespace Token.Api.Features.Root;

public sealed record Response(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("health")] string Health)
{
    public static Response Current { get; } = new(
        "Token Generation Service",
        typeof(Response).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
        "running",
        "/health");
}
