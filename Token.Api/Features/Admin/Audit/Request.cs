using FastEndpoints;
using FluentValidation;
using Token.Api.Audit;

namespace Token.Api.Features.Admin.Audit;

/// <summary>A page of the audit trail, newest first, optionally of one action or one target.</summary>
public sealed class Request
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    [QueryParam]
    public int? Limit { get; init; }

    /// <summary>Only entries older than this id: the <c>next_before</c> of the previous page.</summary>
    [QueryParam]
    public long? Before { get; init; }

    [QueryParam]
    public string? Action { get; init; }

    [QueryParam]
    public string? Target { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        private static readonly string[] Actions = [.. AuditActionExtensions.All.Select(a => a.ToTag())];

        public Validator()
        {
            RuleFor(r => r.Limit).InclusiveBetween(1, MaxLimit);
            RuleFor(r => r.Before).GreaterThan(0);
            RuleFor(r => r.Action).Must(action => action is null || Actions.Contains(action))
                .WithMessage($"must be one of: {string.Join(", ", Actions)}");
            RuleFor(r => r.Target).MaximumLength(255);
        }
    }
}
