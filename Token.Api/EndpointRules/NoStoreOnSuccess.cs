using FastEndpoints;

namespace Token.Api.EndpointRules;

/// <summary>
/// <c>Cache-Control: no-store</c> on a successful answer: it carries a token or a secret. Error answers are left as
/// they are. The header is set as the response starts, since post-processors run only after it was sent.
/// </summary>
public sealed class NoStoreOnSuccess : IGlobalPreProcessor
{
    public Task PreProcessAsync(IPreProcessorContext context, CancellationToken ct)
    {
        // An earlier pre-processor may have answered already (the client-list check's 403).
        if (!context.HttpContext.ResponseStarted())
        {
            context.HttpContext.Response.OnStarting(MarkIfSuccessful, context.HttpContext.Response);
        }
        return Task.CompletedTask;
    }

    private static Task MarkIfSuccessful(object state)
    {
        var response = (HttpResponse)state;
        if (response.StatusCode is >= 200 and < 300)
        {
            response.Headers.CacheControl = "no-store";
        }
        return Task.CompletedTask;
    }
}
