using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>
/// An OTLP/HTTP receiver that keeps every payload the platform's services export (spans, logs, metrics), so a test
/// can search what would reach the dashboard. Protobuf keeps strings as plain UTF-8, so a byte search finds any value.
/// </summary>
public sealed class TelemetryCapture : IAsyncDisposable
{
    private readonly ConcurrentQueue<byte[]> _payloads = new();
    private readonly WebApplication _receiver;

    private TelemetryCapture(WebApplication receiver) => _receiver = receiver;

    public string Endpoint => _receiver.Urls.Single();

    public static async Task<TelemetryCapture> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = builder.Build();
        var capture = new TelemetryCapture(receiver);
        receiver.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            capture._payloads.Enqueue(body.ToArray());
            return Results.Bytes([], "application/x-protobuf");
        });
        await receiver.StartAsync();
        return capture;
    }

    public bool Contains(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return _payloads.Any(payload => payload.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>How many times the text occurs in everything exported so far.</summary>
    public int Count(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var count = 0;
        foreach (var payload in _payloads)
        {
            for (var rest = payload.AsSpan(); rest.IndexOf(bytes) is var at and >= 0;
                rest = rest[(at + bytes.Length)..])
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// New traces each service keeps per second: more than any test sends, except the one that tests the cap.
    /// </summary>
    public const int MaxTracesPerSecond = 50;

    /// <summary>
    /// Environment that makes a service export here, promptly, and every trace up to <see cref="MaxTracesPerSecond"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        ["Telemetry__TraceSampleRatio"] = "1",
        ["Telemetry__MaxTracesPerSecond"] = MaxTracesPerSecond.ToString()
    };

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();
}
