using FluentValidation;

namespace Token.Api.Features.Webhooks.Create;

/// <param name="Events">Event names; left out, every event (<c>["*"]</c>).</param>
public sealed record Request(string? Url, IReadOnlyList<string>? Events, string? Description) : IWebhookFields
{
    internal sealed class Validator : WebhookFieldsValidator<Request>
    {
        public Validator() => RuleFor(r => r.Url).NotEmpty();
    }
}
