using System.ComponentModel.DataAnnotations;
using Token.Core.Outbound;

namespace Token.Core.Providers;

public sealed class ProviderOptions : IValidatableObject
{
    /// <summary>
    /// Base URL of the sandbox OAuth server; the <c>sandbox</c> provider exists only when it is set (Development).
    /// </summary>
    public string? SandboxBaseUrl { get; set; }

    /// <summary>
    /// Origins (<c>scheme://host:port</c>) that outbound calls reach as they are, past the https and address rules of
    /// <see cref="OutboundRules"/>: e.g. an in-house OAuth server on a private network, or the sandbox.
    /// </summary>
    public List<string> TrustedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        TrustedOrigins
            .Select((origin, index) => (origin, index))
            .Where(entry => !OutboundRules.IsOrigin(entry.origin))
            .Select(entry => new ValidationResult(
                $"Providers:TrustedOrigins:{entry.index} ('{entry.origin}') must be an origin such as " +
                "http://idp.internal:8080: http or https, a host and a port (or the scheme's default), nothing else.",
                [nameof(TrustedOrigins)]));
}
