using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TokenPlatform.EndToEnd.Tests;

/// <summary>Every console line of every resource, as the AppHost passes them on to its own logging.</summary>
public sealed class ResourceLogs : ILoggerProvider
{
    public const string CategoryPrefix = "TokenPlatform.AppHost.Resources.";
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lines = new();

    /// <summary>
    /// Every resource that wrote a line; a replicated resource's replicas each have a name of their own.
    /// </summary>
    public IReadOnlyList<string> Resources => [.. _lines.Keys];

    public IReadOnlyList<string> Of(string resource) => _lines.TryGetValue(resource, out var lines) ? [.. lines] : [];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix, StringComparison.Ordinal)
            ? new Collector(_lines.GetOrAdd(categoryName[CategoryPrefix.Length..], _ => new()))
            : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
