using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TokenPlatform.Hosting.Local;

namespace TokenPlatform.Testing;

/// <summary>A webhook as a receiver got it: the Standard Webhooks headers and the body, as sent.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    public string Type => Json["type"]!.GetValue<string>();
    public int ClientId => Json["data"]!["client_id"]!.GetValue<int>();
}

/// <summary>
/// A webhook receiver on a loopback port of its own: records every request, answers <see cref="Status"/>, and can be
/// stopped and started again on the same port, as a receiver that is down for a while.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly int _port = MachineProbe.FreeTcpPort();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;

    public Uri Url => new($"http://127.0.0.1:{_port}/hooks");

    /// <summary>The origin to put on <c>Providers:TrustedOrigins</c>: plain http to loopback.</summary>
    public string Origin => $"http://127.0.0.1:{_port}";

    /// <summary>What every request is answered with.</summary>
    public int Status { get; set; } = StatusCodes.Status204NoContent;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Origin);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _received.Enqueue(new ReceivedWebhook(
                request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), await reader.ReadToEndAsync(), DateTimeOffset.UtcNow));
            return Results.StatusCode(Status);
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Waits (bounded) until a webhook matching <paramref name="match"/> arrived, and returns it.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan timeout, string what)
    {
        ReceivedWebhook? found = null;
        await Eventually.HoldsAsync(
            () => Task.FromResult((found = Received.FirstOrDefault(match)) is not null), timeout,
            $"no webhook {what} arrived");
        return found!;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
