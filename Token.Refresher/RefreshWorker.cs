using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using Token.Core.Data;
using Token.Core.Tokens;

namespace Token.Refresher;

/// <summary>
/// Proactive refresh: claims due tokens in batches (several refreshers never claim the same one), refreshes them in
/// parallel, and sleeps until the next due time when nothing is left.
/// </summary>
public sealed partial class RefreshWorker(
    IServiceScopeFactory scopes, SchemaReadiness schema, RefreshLeases leases, IOptions<RefreshOptions> options, TimeProvider time, ILogger<RefreshWorker> logger) : BackgroundService
{
    public const string Trigger = "scheduled";
    private static readonly ActivitySource Source = new("Token.Refresher");
    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RefreshDueAsync(stoppingToken) < options.Value.BatchSize)
                {
                    await Task.Delay(await TimeUntilNextDueAsync(stoppingToken), time, stoppingToken);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be starting or migrating; leases of this cycle run out and are claimed again.
                LogCycleFailed(exception);
                await Task.Delay(options.Value.IdlePoll, time, stoppingToken);
            }
        }
    }

    private async Task<int> RefreshDueAsync(CancellationToken ct)
    {
        List<int> claimed;
        // An idle poll is not worth a trace; a cycle that found work is.
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            claimed = await leases.ClaimDueAsync(scope.ServiceProvider.GetRequiredService<TokenDbContext>(), options.Value.BatchSize, ct);
        }
        if (claimed.Count == 0)
        {
            return 0;
        }

        using var activity = Source.StartActivity("refresh due tokens");
        activity?.SetTag("token.count", claimed.Count);
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = ct }, async (tokenId, token) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<TokenLifecycle>().RefreshClaimedAsync(tokenId, Trigger, token);
            }
            catch (Exception exception) when (!token.IsCancellationRequested)
            {
                // Its lease runs out and a later cycle tries again.
                LogRefreshCrashed(tokenId, exception);
            }
        });
        return claimed.Count;
    }

    private async Task<TimeSpan> TimeUntilNextDueAsync(CancellationToken ct)
    {
        DateTimeOffset? next;
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            next = await scope.ServiceProvider.GetRequiredService<TokenDbContext>().Tokens
                .Where(t => t.IsValid && !t.IsRevoked)
                .MinAsync(t => (DateTimeOffset?)t.RefreshDueAt, ct);
        }
        var wait = next is { } due ? due - time.GetUtcNow() : options.Value.IdlePoll;
        return wait < ShortestSleep ? ShortestSleep : wait > options.Value.IdlePoll ? options.Value.IdlePoll : wait;
    }

    [LoggerMessage(LogLevel.Warning, "A refresh cycle failed; trying again shortly")]
    private partial void LogCycleFailed(Exception exception);

    [LoggerMessage(LogLevel.Error, "Refreshing token {TokenId} crashed; its lease will run out and it is tried again")]
    private partial void LogRefreshCrashed(int tokenId, Exception exception);
}
