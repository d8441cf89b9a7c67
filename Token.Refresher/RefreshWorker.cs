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
/// claimed while the last one is still being refreshed. Sleeps until the next due time when nothing is left. Beside
/// them, every second, it takes over refreshes interrupted after the refresh token was sent, at once and not behind
/// the due ones: a provider's reuse grace period for that refresh token is running out (docs/reliability.md).
/// </summary>
public sealed partial class RefreshWorker(
    IServiceScopeFactory scopes, SchemaReadiness schema, RefreshLeases leases, IOptions<RefreshOptions> options,
    TimeProvider time, ILogger<RefreshWorker> logger) : BackgroundService
{
    private static readonly ActivitySource Source = new("Token.Refresher");
    private static readonly TimeSpan ShortestSleep = TimeSpan.FromMilliseconds(50);

    /// <summary>How often the refresher looks for refreshes interrupted after the refresh token was sent.</summary>
    public static readonly TimeSpan RecoveryPoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        // Bounded to one batch: claimed tokens wait here seconds at most, far less than their lease.
        var claimed = Channel.CreateBounded<ClaimedToken>(options.Value.BatchSize);
        var refreshLoops = Enumerable.Range(
            0, options.Value.Parallelism).Select(_ => RefreshLoopAsync(claimed.Reader, stoppingToken)).ToList();
        var recovery = RecoveryLoopAsync(stoppingToken);
        try
        {
            await ClaimLoopAsync(claimed.Writer, stoppingToken);
        }
        finally
        {
            claimed.Writer.TryComplete();
            await Task.WhenAll([.. refreshLoops, recovery]);
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
                await RefreshAsync(tokenId, claim, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: what is left in the channel keeps its lease until it runs out, then another refresher takes it.
        }
    }

    /// <summary>
    /// Up to <see cref="RefreshOptions.Parallelism"/> interrupted refreshes at a time, each started as soon as it is
    /// claimed; those running when the refresher stops run to their end (a refresh once the provider is asked does).
    /// </summary>
    private async Task RecoveryLoopAsync(CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                running.RemoveAll(refresh => refresh.IsCompleted);
                var room = options.Value.Parallelism - running.Count;
                try
                {
                    if (room > 0)
                    {
                        running.AddRange(await ClaimInterruptedAsync(room, ct));
                    }
                    await Task.Delay(RecoveryPoll, time, ct);
                }
                catch (Exception exception) when (!ct.IsCancellationRequested)
                {
                    LogCycleFailed(exception);
                    await Task.Delay(RecoveryPoll, time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the refreshes started run to their end below.
        }
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Those that had not asked the provider yet stopped; their leases run out.
        }
    }

    private async Task<IEnumerable<Task>> ClaimInterruptedAsync(int limit, CancellationToken ct)
    {
        List<int> tokenIds;
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            tokenIds = await leases.ClaimInterruptedAsync(
                scope.ServiceProvider.GetRequiredService<TokenDbContext>(), limit, ct);
        }
        if (tokenIds.Count == 0)
        {
            return [];
        }
        using var activity = Source.StartActivity("claim interrupted refreshes");
        activity?.SetTag("token.count", tokenIds.Count);
        var claim = activity?.Context ?? default;
        return tokenIds.Select(tokenId => RefreshAsync(tokenId, claim, ct)).ToList();
    }

    private async Task RefreshAsync(int tokenId, ActivityContext claim, CancellationToken ct)
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

    private async Task<TimeSpan> TimeUntilNextDueAsync(CancellationToken ct)
    {
        DateTimeOffset? next;
        using (SuppressInstrumentationScope.Begin())
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
            // As the claim does: a deactivated client's due token would otherwise wake the loop at once, forever; an
            // interrupted refresh is the recovery loop's.
            next = await db.Tokens
                .Where(t => t.IsValid && !t.IsRevoked && t.RefreshPausedReason == null && t.RefreshAttemptedAt == null
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
