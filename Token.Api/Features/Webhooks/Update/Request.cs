namespace Token.Api.Features.Webhooks.Update;

/// <param name="Enabled">
/// true sends to a disabled webhook again (its pending deliveries first) and clears why it was disabled.
/// </param>
public sealed record Request(Guid Id, string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled)
    : IWebhookFields
{
    internal sealed class Validator : WebhookFieldsValidator<Request>;
}
