using FastEndpoints;
using FluentValidation.Results;
using Token.Api.Auth;
using Token.Api.Infrastructure;

namespace Token.Api.EndpointRules;

/// <summary>
/// Refuses with 403 a key limited to a list of clients when the request names another client. A request that failed
/// validation is left alone: it gets its 400 first.
/// </summary>
public sealed class ClientListCheck<TRequest> : IPreProcessor<TRequest> where TRequest : IClientTokenRequest
{
    public async Task PreProcessAsync(IPreProcessorContext<TRequest> context, CancellationToken ct)
    {
        if (context.Request is not { } request || context.HasValidationFailures || context.HttpContext.ResponseStarted()
            || context.HttpContext.User.MayAccessClient(request.ClientId))
        {
            return;
        }
        context.ValidationFailures.Add(new ValidationFailure(TokenApiExtensions.GeneralErrors,
            $"This API key may not {TRequest.Verb} tokens of client {request.ClientId}."));
        await context.HttpContext.Response.SendErrorsAsync(
            context.ValidationFailures, StatusCodes.Status403Forbidden, cancellation: ct);
    }
}
