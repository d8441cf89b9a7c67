using System.Buffers;
using System.Net;

namespace Token.Core.Outbound;

/// <summary>
/// Keeps a call on connections that <see cref="OutboundRules"/> checks, and refuses a redirect (it is never followed:
/// its target would get the request, secrets included) and an answer larger than
/// <see cref="OutboundRules.MaxAnswerBytes"/> without holding it: by its Content-Length, or by reading one byte past
/// the limit at most when it has none. An answer within the limit is handed on read, from memory.
/// </summary>
public sealed class OutboundCallLimits(OutboundRules rules) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // HTTP/3 runs over QUIC, whose connections bypass ConnectCallback: never asked for, never upgraded to.
        if (request.Version >= HttpVersion.Version30)
        {
            request.Version = HttpVersion.Version20;
        }
        if (request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
        {
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
        var response = Checked(request, await base.SendAsync(request, ct));
        var buffer = ArrayPool<byte>.Shared.Rent(OutboundRules.MaxAnswerBytes + 1);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var length = await body.ReadAtLeastAsync(
                buffer, OutboundRules.MaxAnswerBytes + 1, throwOnEndOfStream: false, ct);
            return Buffered(request, response, buffer.AsSpan(0, length));
        }
        catch (IOException broken)
        {
            response.Dispose();
            // As HttpClient reports a body that breaks off when it reads it itself.
            throw new HttpRequestException("The answer could not be read.", broken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The limits above are applied on the asynchronous path only; a synchronous call would pass them by.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken ct) =>
        throw new NotSupportedException("Outbound calls are made asynchronously (SendAsync).");

    private HttpResponseMessage Checked(HttpRequestMessage request, HttpResponseMessage response)
    {
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            response.Dispose();
            throw rules.Refuse(OutboundRefusal.Redirect, request.RequestUri!,
                $"the answer was a redirect (HTTP {(int)response.StatusCode})");
        }
        if (response.Content.Headers.ContentLength is > OutboundRules.MaxAnswerBytes and var length)
        {
            response.Dispose();
            throw rules.Refuse(OutboundRefusal.TooLarge, request.RequestUri!, $"the answer announced {length} bytes");
        }
        return response;
    }

    private HttpResponseMessage Buffered(HttpRequestMessage request, HttpResponseMessage response, Span<byte> body)
    {
        if (body.Length > OutboundRules.MaxAnswerBytes)
        {
            response.Dispose();
            throw rules.Refuse(OutboundRefusal.TooLarge, request.RequestUri!,
                $"the answer went past {OutboundRules.MaxAnswerBytes} bytes");
        }
        var content = new ByteArrayContent(body.ToArray());
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        response.Content.Dispose();
        response.Content = content;
        return response;
    }
}
