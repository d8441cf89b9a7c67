using FluentValidation;

namespace Token.Api.Features.Clients;

public static class ClientRules
{
    /// <summary>
    /// An absolute http(s) URL without a fragment: providers compare redirect URIs exactly (RFC 9700 §4.1.3).
    /// </summary>
    public static IRuleBuilderOptions<T, string?> MustBeRedirectUri<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsHttpUrl(value, allowFragment: false))
            .WithMessage("must be an absolute http or https URL without a fragment");

    public static IRuleBuilderOptions<T, string?> MustBeEndpointUrl<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsHttpUrl(value, allowFragment: false))
            .WithMessage("must be an absolute http or https URL");

    private static bool IsHttpUrl(string value, bool allowFragment) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && (allowFragment || uri.Fragment.Length == 0)
        && value.Length <= 2000;
}
