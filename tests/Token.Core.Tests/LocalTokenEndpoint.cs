using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Token.Core.Tests;

/// <summary>One request to the provider: its form and how the client authenticated (RFC 6749 §2.3.1).</summary>
public sealed record ProviderRequest(string Path, IFormCollection Form, string? Authorization)
{
    public string? this[string field] => Form.TryGetValue(field, out var value) ? value.ToString() : null;
}

/// <summary>
/// A real HTTP token endpoint on loopback whose answers each test scripts: refreshes, refusals, outages, and
/// whatever happens while the provider is still answering.
/// </summary>
public sealed class LocalTokenEndpoint : IAsyncDisposable
{
    private readonly ConcurrentQueue<ProviderRequest> _requests = new();
    private WebApplication? _app;
    private int _connections;

    /// <summary>
    /// How the endpoint answers the next requests (a successful refresh unless a test says otherwise).
    /// </summary>
    public Func<IFormCollection, Task<IResult>> Answer { get; set; } = _ => Task.FromResult(Tokens("access-1"));

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request the token and revocation endpoints received, in order.</summary>
    public IReadOnlyList<ProviderRequest> Requests => [.. _requests];

    /// <summary>TCP connections accepted so far, whether or not a request came over them.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static async Task<LocalTokenEndpoint> StartAsync()
    {
        var endpoint = new LocalTokenEndpoint();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(
            next => connection =>
            {
                Interlocked.Increment(ref endpoint._connections);
                return next(connection);
            })));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/token", async (HttpRequest request) =>
            await endpoint.Answer(await endpoint.RecordAsync(request)));
        app.MapPost("/revoke", async (HttpRequest request) =>
        {
            await endpoint.RecordAsync(request);
            return Results.Ok();
        });
        await app.StartAsync();
        endpoint._app = app;
        endpoint.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.Single());
        return endpoint;
    }

    public void Reset()
    {
        _requests.Clear();
        Answer = _ => Task.FromResult(Tokens("access-1"));
    }

    public int CountOf(string grantType) => Requests.Count(request => request["grant_type"] == grantType);

    private async Task<IFormCollection> RecordAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        _requests.Enqueue(new ProviderRequest(request.Path, form, request.Headers.Authorization));
        return form;
    }

    /// <summary>RFC 6749 §5.1.</summary>
    public static IResult Tokens(string accessToken, string? refreshToken = null, int expiresIn = 3600) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["access_token"] = accessToken, ["token_type"] = "Bearer", ["expires_in"] = expiresIn,
            ["refresh_token"] = refreshToken
        });

    /// <summary>
    /// An answer of <paramref name="bytes"/> bytes, written as it goes (the endpoint never holds it), with its
    /// Content-Length or without one (chunked).
    /// </summary>
    public static IResult Oversized(long bytes, bool declareLength) => new OversizedResult(bytes, declareLength);

    /// <summary>RFC 6749 §5.2, or any other refusal.</summary>
    public static IResult Error(int status, string error, TimeSpan? retryAfter = null) =>
        new ErrorResult(status, error, retryAfter is { } wait ? ((long)wait.TotalSeconds).ToString() : null);

    /// <summary>A refusal whose <c>Retry-After</c> is sent as it is given, valid or not.</summary>
    public static IResult Error(int status, string error, string retryAfter) =>
        new ErrorResult(status, error, retryAfter);

    /// <summary>A page that is not the token endpoint's JSON, such as a proxy's or a WAF's.</summary>
    public static IResult Page(int status) =>
        Results.Content($"<html><body>{status}</body></html>", "text/html", statusCode: status);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private sealed class OversizedResult(long bytes, bool declareLength) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = "application/json";
            if (declareLength)
            {
                context.Response.ContentLength = bytes;
            }
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            try
            {
                for (long sent = 0; sent < bytes; sent += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(
                        chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)), context.RequestAborted);
                }
            }
            catch (Exception hungUp) when (hungUp is OperationCanceledException or IOException)
            {
                // The client stopped reading and closed the connection, as it should.
            }
        }
    }

    private sealed class ErrorResult(int status, string error, string? retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = error });
        }
    }
}
