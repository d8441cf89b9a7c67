using Microsoft.AspNetCore.Http.Features;

namespace Token.Gateway.Edge;

/// <summary>
/// Bodies over the limit get 413 problem details, whether they declare their length or stream in chunks. A client
/// only hears the answer once it has sent its body, so up to <see cref="DrainFactor"/> times the limit is read and
/// dropped; beyond that Kestrel's own limit closes the connection.
/// </summary>
internal static class RequestBodyLimit
{
    public const int DrainFactor = 16;

    public static async Task EnforceAsync(HttpContext context, RequestDelegate next, long limit)
    {
        var request = context.Request;
        var body = request.Body;
        if (request.ContentLength > limit)
        {
            await RefuseAsync(context, body, limit);
            return;
        }
        if (request.ContentLength is null
            && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Body = new LimitedStream(body, limit);
        }

        await next(context);

        // The proxy stopped reading at the limit and answered 413 with no body.
        if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await RefuseAsync(context, body, limit);
        }
    }

    private static async Task RefuseAsync(HttpContext context, Stream body, long limit)
    {
        try
        {
            await body.CopyToAsync(Stream.Null, context.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            // Over the drain limit too: Kestrel closes the connection after this answer.
        }
        await GatewayProblemDetails.WriteAsync(
            context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"Request bodies are limited to {limit} bytes.");
    }

    /// <summary>A request body that fails the way Kestrel's own limit does, which the proxy turns into 413.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(
            Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(
            byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new BadHttpRequestException(
                "Request body too large.", StatusCodes.Status413PayloadTooLarge) : read;
        }

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
