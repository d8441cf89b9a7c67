using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using Token.Core.Data;
using Token.Core.Tokens;

namespace Token.Refresher;

/// <summary>
/// Proactive refresh: claims due tokens in batches (several refreshers never claim the same one) and hands them to
/// <see cref="RefreshOptions.Parallelism"/> refresh loops, which keep that many provider calls going: the next batch is
/// claimed while the last one is still being refreshed. Sleeps until the next due time when nothing is left.
/// </summary>
public sealed partial class RefreshWorker(
    IServiceScopeFactory scopes, SchemaReadiness schema, RefreshLeases leases, IOptions<RefreshOptions> options,
    TimeProvider time, ILogger<RefreshWorker> logger) : BackgroundService
{
    private static readonly ActivitySource Source = new("Token.Refresher");
    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        // Bounded to one batch: claimed tokens wait here seconds at most, far less than their lease.
        var claimed = Channel.CreateBounded<ClaimedToken>(options.Value.BatchSize);
        var refreshLoops = Enumerable.Range(
            0, options.Value.Parallelism).Select(_ => RefreshLoopAsync(claimed.Reader, stoppingToken)).ToList();
        try
        {
            await ClaimLoopAsync(claimed.Writer, stoppingToken);
        }
        finally
        {
            claimed.Writer.TryComplete();
            await Task.WhenAll(refreshLoops);
        }
    }

    private async Task ClaimLoopAsync(ChannelWriter<ClaimedToken> claimed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ClaimDueAsync(claimed, stoppingToken) < options.Value.BatchSize)
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

    private async Task<int> ClaimDueAsync(ChannelWriter<ClaimedToken> claimed, CancellationToken ct)
    {
        List<int> tokenIds;
        // An idle poll is not worth a trace; a claim that found work is.
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            tokenIds = await leases.ClaimDueAsync(
                scope.ServiceProvider.GetRequiredService<TokenDbContext>(), options.Value.BatchSize, ct);
        }
        if (tokenIds.Count == 0)
        {
            return 0;
        }

        using var activity = Source.StartActivity("claim due tokens");
        activity?.SetTag("token.count", tokenIds.Count);
        foreach (var tokenId in tokenIds)
        {
            await claimed.WriteAsync(new ClaimedToken(tokenId, activity?.Context ?? default), ct);
        }
        return tokenIds.Count;
    }

    private async Task RefreshLoopAsync(ChannelReader<ClaimedToken> claimed, CancellationToken ct)
    {
        try
        {
            await foreach (var (tokenId, claim) in claimed.ReadAllAsync(ct))
            {
                using var activity = Source.StartActivity("refresh token", ActivityKind.Internal, claim);
                activity?.SetTag("token.id", tokenId);
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<TokenLifecycle>().RefreshClaimedAsync(
                        tokenId, RefreshTrigger.Scheduled, ct);
                }
                catch (Exception exception) when (!ct.IsCancellationRequested)
                {
                    // Its lease runs out and a later claim tries again.
                    LogRefreshCrashed(tokenId, exception);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: what is left in the channel keeps its lease until it runs out, then another refresher takes it.
        }
    }

    private async Task<TimeSpan> TimeUntilNextDueAsync(CancellationToken ct)
    {
        DateTimeOffset? next;
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            // As the claim does: a deactivated client's due token would otherwise wake the loop at once, forever.
            next = await db.Tokens
                .Where(t => t.IsValid && !t.IsRevoked && t.RefreshPausedReason == null
                    && db.Clients.Any(c => c.Id == t.ClientId && c.IsActive))
                .MinAsync(t => (DateTimeOffset?)t.RefreshDueAt, ct);
        }
        var wait = next is { } due ? due - time.GetUtcNow() : options.Value.IdlePoll;
        return wait < ShortestSleep ? ShortestSleep : wait > options.Value.IdlePoll ? options.Value.IdlePoll : wait;
    }

    [LoggerMessage(LogLevel.Warning, "A refresh cycle failed; trying again shortly")]
    private partial void LogCycleFailed(Exception exception);

    [LoggerMessage(LogLevel.Error, "Refreshing token {TokenId} crashed; its lease will run out and it is tried again")]
    private partial void LogRefreshCrashed(int tokenId, Exception exception);

    /// <summary>A token this refresher holds the lease of, and the trace of the claim that took it.</summary>
    private sealed record ClaimedToken(int TokenId, ActivityContext Claim);
}
