using FastEndpoints;
using FluentValidation;
using Token.Api.EndpointRules;
using Token.Api.Features.Clients;
using Token.Core.Outbound;
using Token.Core.Webhooks;

namespace Token.Api.Features.Webhooks;

/// <summary>What a webhook's registration and its changes may say.</summary>
public interface IWebhookFields
{
    string? Url { get; }
    IReadOnlyList<string>? Events { get; }
    string? Description { get; }
}

public static class WebhookFields
{
    /// <summary>Every event, those added later included.</summary>
    public const string AllEvents = "*";

    /// <summary>How the webhooks table stores a list of event names: message types, none for every event.</summary>
    public static List<string> MessageTypes(IReadOnlyList<string> names) =>
        names.Contains(AllEvents) ? [] : [.. names.Distinct().Select(WebhookEvents.MessageType)];

    public static string NotFound(Guid id) => $"Webhook {id} does not exist.";

    public static IReadOnlyList<string> EventNames(List<string> messageTypes) =>
        messageTypes.Count == 0 ? [AllEvents] : [.. messageTypes.Select(WebhookEvents.Name)];
}

public abstract class WebhookFieldsValidator<T> : Validator<T> where T : IWebhookFields
{
    protected WebhookFieldsValidator()
    {
        RuleFor(r => r.Url).MustBeEndpointUrl();
        // The refresher posts to it: the same rules as a provider's token endpoint (https, no internal address
        // unless its origin is on Providers:TrustedOrigins), checked again on every connection.
        RuleFor(r => r.Url).MustBeAllowedOutbound("url", Resolve<OutboundRules>);
        RuleFor(r => r.Events)
            .Must(events => events!.Count is > 0 and <= 20 &&
                            events.All(e => e == WebhookFields.AllEvents || WebhookEvents.IsKnown(e)))
            .When(r => r.Events is not null)
            .WithMessage(
                $"must list one or more of: {string.Join(", ", WebhookEvents.Names)}, or \"{WebhookFields.AllEvents}\" " +
                "for every event");
        RuleFor(r => r.Description).MaximumLength(500);
    }
}
