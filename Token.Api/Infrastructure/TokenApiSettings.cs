using Token.Core;

namespace Token.Api.Infrastructure;

/// <summary>What token-api cannot start without, checked before anything is built from it.</summary>
public static class TokenApiSettings
{
    public static readonly RequiredSetting[] Required =
    [
        .. CoreSettings.Required,
        // Outside Production a platform may run without a bootstrap key (keys made in the database serve).
        new("Auth:AdminApiKey", (value, environment) =>
            !environment.IsProduction() ? null
            : string.IsNullOrWhiteSpace(value) ? "is not set"
            : !ApiKeyShape.IsWellFormed(value)
                ? $"is weak: it must be {ApiKeyShape.MinLength} to {ApiKeyShape.MaxLength} letters, digits or " +
                    "-._~+/= (random, e.g. `openssl rand -hex 32`)"
                : null),
        // Login links and redirect URIs are made from it: in Production they must be https.
        new("PublicUrl:BaseUrl", (value, environment) =>
            string.IsNullOrWhiteSpace(value) ? (environment.IsProduction() ? "is not set" : null)
            : !Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
                ? "is not an absolute http(s) URL"
            : environment.IsProduction() && url.Scheme != Uri.UriSchemeHttps ? "is not https"
            : null)
    ];
}
