using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Primitives;
using TokenPlatform.Sandbox.OAuth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.Controls;

/// <summary>
/// Runs in front of OpenIddict on the token and revocation endpoints: records every request first, then lets the
/// <c>token_failure</c> switch fake an outage, a slow provider, an answer held back or a rejected grant.
/// </summary>
public sealed class TokenEndpointControlsMiddleware(
    RequestDelegate next, TokenRequestLog log, SandboxSwitches switches,
    ILogger<TokenEndpointControlsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.Request.Path switch
        {
            var path when path.Equals(SandboxPaths.Token, StringComparison.OrdinalIgnoreCase) => "token",
            var path when path.Equals(SandboxPaths.Revoke, StringComparison.OrdinalIgnoreCase) => "revoke",
            _ => null
        };

        if (endpoint is null)
        {
            await next(context);
            return;
        }

        var form = await ReadFormAsync(context.Request);
        var grantType = Value(form, Parameters.GrantType);
        var verifier = Value(form, Parameters.CodeVerifier);
        var (clientId, clientAuthentication) = ClientOf(context.Request, form);
        log.Record(
            new RecordedRequest(
                endpoint, grantType, clientId, clientAuthentication, verifier is not null, verifier?.Length ?? 0,
                DateTimeOffset.UtcNow));

        var failure = switches.Current.TokenFailure;
        if (endpoint is not "token" || !failure.AppliesTo(grantType))
        {
            await next(context);
            return;
        }

        logger.LogInformation(
            "Injecting token_failure {FailureMode} into a {GrantType} token request from {ClientId}", failure.Mode,
            grantType, clientId);
        switch (failure.Mode)
        {
            case TokenFailureMode.Slow:
                await Task.Delay(failure.DelayMs, context.RequestAborted);
                await next(context);
                break;

            case TokenFailureMode.SlowAnswer:
                await AnswerLateAsync(context, failure.DelayMs);
                break;

            case TokenFailureMode.InvalidGrant:
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, Errors.InvalidGrant,
                    "The grant is invalid, expired or revoked (injected by the sandbox token_failure switch).");
                break;

            default:
                if (failure.RetryAfterSeconds is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = retryAfter.ToString(
                        System.Globalization.CultureInfo.InvariantCulture);
                }

                await WriteErrorAsync(context, failure.StatusCode, ErrorFor(failure.StatusCode),
                    $"The token endpoint answered {failure.StatusCode} " +
                    "(injected by the sandbox token_failure switch).");
                break;
        }
    }

    /// <summary>
    /// The provider has done its work (issued tokens, used up the refresh token sent) before its answer is on its
    /// way: a client that dies meanwhile never learns the new refresh token.
    /// </summary>
    private async Task AnswerLateAsync(HttpContext context, int delayMs)
    {
        var body = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
        await Task.Delay(delayMs, context.RequestAborted);
        held.Position = 0;
        await held.CopyToAsync(body, context.RequestAborted);
    }

    /// <summary>Buffers the body so that OpenIddict can read the same form after us.</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        request.EnableBuffering();
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return form;
    }

    private static string? Value(IFormCollection? form, string name) =>
        form is not null && form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values)
            ? values.ToString()
            : null;

    /// <summary>
    /// The client id from client_secret_basic (RFC 6749 §2.3.1: form-encoded, then Base64) or from the form; the secret
    /// is dropped unread.
    /// </summary>
    private static (string? ClientId, string Authentication) ClientOf(HttpRequest request, IFormCollection? form)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            && header.Parameter is { } parameter)
        {
            try
            {
                var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var separator = credentials.IndexOf(':');
                return (
                    separator < 0 ? null : Uri.UnescapeDataString(credentials[..separator].Replace('+', ' ')),
                    ClientAuthenticationMethods.ClientSecretBasic);
            }
            catch (FormatException)
            {
                return (null, ClientAuthenticationMethods.ClientSecretBasic);
            }
        }

        return Value(form, Parameters.ClientSecret) is not null
            ? (Value(form, Parameters.ClientId), ClientAuthenticationMethods.ClientSecretPost)
            : (Value(form, Parameters.ClientId), "none");
    }

    private static string ErrorFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status503ServiceUnavailable => Errors.TemporarilyUnavailable,
        >= 500 => Errors.ServerError,
        StatusCodes.Status401Unauthorized => Errors.InvalidClient,
        StatusCodes.Status429TooManyRequests => "rate_limit_exceeded",
        _ => Errors.InvalidRequest
    };

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string error, string description)
    {
        context.Response.StatusCode = statusCode;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        return context.Response.WriteAsJsonAsync(
            new { error, error_description = description }, context.RequestAborted);
    }
}
