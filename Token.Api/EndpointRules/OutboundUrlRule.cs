using FluentValidation;
using Token.Core.Outbound;

namespace Token.Api.EndpointRules;

public static class OutboundUrlRule
{
    /// <summary>
    /// A URL the platform itself will call (a provider's token endpoint, a webhook): refused, with why, when
    /// <see cref="OutboundRules"/> would refuse calling it. <paramref name="rules"/> is resolved when validating.
    /// </summary>
    public static IRuleBuilderOptionsConditions<T, string?> MustBeAllowedOutbound<T>(
        this IRuleBuilder<T, string?> rule, string name, Func<OutboundRules> rules) =>
        rule.CustomAsync(async (url, context, ct) =>
        {
            if (url is not null && await rules().RefusalAsync(url, ct) is { } refusal)
            {
                context.AddFailure($"{name} {refusal}.");
            }
        });
}
