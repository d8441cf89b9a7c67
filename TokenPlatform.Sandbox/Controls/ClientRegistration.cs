using System.Text.Json.Serialization;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>Body of <c>POST /sandbox/clients</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientRegistration(string? ClientId, string? ClientSecret, List<string>? RedirectUris)
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return "client_id is required";
        }

        if (string.IsNullOrEmpty(ClientSecret))
        {
            yield return "client_secret is required";
        }

        if (RedirectUris is not { Count: > 0 })
        {
            yield return "redirect_uris needs at least one URI";
        }

        foreach (var uri in RedirectUris ?? [])
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                || parsed.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(parsed.Fragment))
            {
                yield return $"redirect_uris: {uri} is not an absolute http(s) URI without a fragment";
            }
        }
    }

    public SandboxClient ToClient() =>
        new() { ClientId = ClientId!, ClientSecret = ClientSecret!, RedirectUris = RedirectUris! };
}
