using Token.Core;

namespace Token.Api.Infrastructure;

/// <summary>What token-api cannot start without, checked before anything is built from it.</summary>
public static class TokenApiSettings
{
    public static readonly RequiredSetting[] Required =
    [
        .. CoreSettings.Required,
        // Outside Production a platform may run without a bootstrap key (keys made in the database serve); one that
        // is set must have the shape the gateway lets through.
        new("Auth:AdminApiKey", (value, environment) =>
            string.IsNullOrWhiteSpace(value) ? (environment.IsProduction() ? "is not set" : null)
            : !ApiKeyShape.IsWellFormed(value)
                ? $"is not a well-formed key: it must be {ApiKeyShape.MinLength} to {ApiKeyShape.MaxLength} letters, " +
                    "digits or -._~+/= (random, e.g. `openssl rand -hex 32`)"
                : null),
        RequiredSetting.PublicUrl
    ];
}
