using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Token.Contracts;
using Token.Core.Data;
using Token.Core.Security;
using Token.Core.Tokens;

namespace TokenPlatform.Benchmarks;

/// <summary>What the benchmarks plant in, and read from, tokendb.</summary>
public sealed class DatabaseBench(string connectionString, string encryptionKey)
{
    private readonly SecretProtector _protector =
        new(Options.Create(new SecretEncryptionOptions { Keys = encryptionKey }));
    private DateTimeOffset _expiresAt;

    private TokenDbContext Context()
    {
        var options = new DbContextOptionsBuilder<TokenDbContext>()
            .UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(600));
        TokenDatabaseExtensions.UseTokenDbConventions(options);
        return new TokenDbContext(options.Options);
    }

    /// <summary>
    /// Each grant as a client of the sandbox provider with its token, encrypted as the platform does; not due yet.
    /// </summary>
    public async Task StoreAsync(List<Grant> grants, TimeSpan expiresIn)
    {
        var now = DateTimeOffset.UtcNow;
        _expiresAt = now + expiresIn;
        foreach (var chunk in grants.Chunk(1000))
        {
            await using var db = Context();
            var clients = chunk.Select(grant => new Client
            {
                ClientId = grant.ClientId,
                ClientSecret = _protector.Protect(grant.ClientSecret, SecretContext.ClientSecret(grant.ClientId)),
                RedirectUri = "http://localhost:8002/auth/callback",
                Provider = "sandbox",
                CreatedAt = now,
                UpdatedAt = now
            }).ToList();
            db.Clients.AddRange(clients);
            await db.SaveChangesAsync();
            db.Tokens.AddRange(clients.Zip(chunk, (client, grant) => new OAuthToken
            {
                ClientId = client.Id,
                AccessToken = _protector.Protect(grant.AccessToken, SecretContext.AccessToken(client.Id)),
                RefreshToken = _protector.Protect(grant.RefreshToken, SecretContext.RefreshToken(client.Id)),
                ExpiresAt = _expiresAt,
                Version = 1,
                RefreshDueAt = now + TimeSpan.FromDays(1),
                CreatedAt = now,
                UpdatedAt = now
            }));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>
    /// Makes due at once every token not refreshed yet, or only the first <paramref name="take"/> of them.
    /// </summary>
    public async Task MakeDueAsync(int take = int.MaxValue)
    {
        await using var db = Context();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE tokens SET refresh_due_at = now()
            WHERE id IN (SELECT id FROM tokens WHERE version = 1 ORDER BY id LIMIT {take})
            """);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> tokens have been refreshed since they were stored; returns when the last
    /// of them was. It looks once a second: counting the tokens is work for the database, on the cores being measured.
    /// </summary>
    public async Task<(DateTimeOffset LastRefreshedAt, bool AllBeforeExpiry)> WaitUntilRefreshedAsync(int count,
        TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        await using var db = Context();
        while (await db.Tokens.CountAsync(t => t.Version >= 2) < count)
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"not all {count} tokens were refreshed within {timeout}");
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var last = (await db.Tokens.MaxAsync(t => t.LastRefreshedAt))!.Value;
        return (last, last < _expiresAt);
    }

    /// <summary>The ids of every stored token, in order.</summary>
    public async Task<List<int>> TokenIdsAsync()
    {
        await using var db = Context();
        return await db.Tokens.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
    }

    /// <summary>Makes each token due at its own time (the refresher sleeps until the earliest, 50 ms at least).</summary>
    public async Task ScheduleAsync(int[] tokenIds, DateTimeOffset[] dueAt)
    {
        await using var db = Context();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE tokens SET refresh_due_at = due.at
            FROM unnest({tokenIds}, {dueAt}) AS due(id, at) WHERE tokens.id = due.id
            """);
    }

    /// <summary>
    /// Commits one TokenRefreshed to the outbox as the refresher's GrantStore does (its own transaction, the same
    /// payload), without the provider call before it: the outbox's triggers fan it out to webhooks and wake the relay.
    /// </summary>
    public async Task CommitRefreshedAsync(int clientId, long version)
    {
        await using var db = Context();
        var now = DateTimeOffset.UtcNow;
        db.Outbox.Add(new OutboxMessage
        {
            Id = Guid.NewGuid(),
            MessageType = typeof(TokenRefreshed).FullName!,
            Payload = JsonSerializer.Serialize(
                new TokenRefreshed(Guid.NewGuid(), clientId, ["branch-001"], version, now + TimeSpan.FromHours(1), now,
                    RefreshTrigger.Scheduled.ToTag()), JsonSerializerOptions.Web),
            CreatedAt = now
        });
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// The ids of the TokenRefreshed events committed in [<paramref name="from"/>, <paramref name="to"/>), read from
    /// the deliveries the outbox's trigger made of them for one webhook (one each, in the event's own transaction).
    /// </summary>
    public async Task<List<Guid>> RefreshedEventIdsAsync(Guid webhookId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var db = Context();
        return await db.Database.SqlQuery<Guid>($"""
            SELECT event_id AS "Value" FROM webhook_deliveries
            WHERE webhook_id = {webhookId} AND message_type = 'Token.Contracts.TokenRefreshed'
              AND created_at >= {from} AND created_at < {to}
            """).ToListAsync();
    }

    /// <summary>
    /// Where the webhook deliveries of events committed in [<paramref name="from"/>, <paramref name="to"/>) spent
    /// their time, from the worker's own record (first attempts): waiting to be sent (commit to the attempt's start:
    /// the claim loop, its wake-up, a free send loop) and the HTTP request; p50/p99 in ms each.
    /// </summary>
    public async Task<string> DeliveryBreakdownAsync(Guid webhookId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var db = Context();
        return await db.Database.SqlQuery<string>($"""
            WITH first AS (
                SELECT extract(epoch FROM a.attempted_at - d.created_at) * 1000 AS waited, a.latency_ms AS sent
                FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempt = 1
                WHERE d.webhook_id = {webhookId} AND d.created_at >= {from} AND d.created_at < {to}
                  AND d.delivered_at IS NOT NULL)
            SELECT format('waiting to be sent p50 %s/p99 %s ms, HTTP request p50 %s/p99 %s ms (%s first attempts)',
                round(percentile_cont(0.5) WITHIN GROUP (ORDER BY waited)::numeric),
                round(percentile_cont(0.99) WITHIN GROUP (ORDER BY waited)::numeric),
                round(percentile_cont(0.5) WITHIN GROUP (ORDER BY sent)::numeric),
                round(percentile_cont(0.99) WITHIN GROUP (ORDER BY sent)::numeric), count(*)) AS "Value"
            FROM first
            """).SingleAsync();
    }

    /// <summary>One webhook's deliveries by status, and how many took more than one attempt.</summary>
    public async Task<string> DeliveryStatusAsync(Guid webhookId)
    {
        await using var db = Context();
        var rows = await db.Database.SqlQuery<string>($"""
            SELECT status || ' ' || count(*) || CASE WHEN max(attempts) > 1
                       THEN ' (' || count(*) FILTER (WHERE attempts > 1) || ' after more than one attempt)' ELSE '' END
                   AS "Value"
            FROM webhook_deliveries WHERE webhook_id = {webhookId} GROUP BY status ORDER BY status
            """).ToListAsync();
        return string.Join(", ", rows);
    }

    public async Task<int> CountTokensAsync()
    {
        await using var db = Context();
        return await db.Tokens.CountAsync();
    }

    /// <summary>
    /// Fills tokendb up to <paramref name="total"/> tokens that are valid and due later (spread over 12 hours).
    /// </summary>
    public async Task AddIdleTokensAsync(int total)
    {
        var missing = total - await CountTokensAsync();
        await using var db = Context();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO clients (client_id, client_secret, redirect_uri, provider, is_active, created_at, updated_at)
            SELECT 'idle-' || g, '\x00'::bytea, 'http://localhost:8002/auth/callback', 'sandbox', true, now(), now()
            FROM generate_series(1, {missing}) g
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO tokens (client_id, access_token, token_type, expires_at, is_valid, is_revoked, version,
                created_at, updated_at, refresh_due_at, failure_count)
            SELECT id, '\x00'::bytea, 'Bearer', now() + interval '1 day', true, false, 1, now(), now(),
                now() + interval '12 hours' + random() * interval '12 hours', 0
            FROM clients WHERE client_id LIKE 'idle-%'
            """);
        await db.Database.ExecuteSqlRawAsync("ANALYZE clients; ANALYZE tokens");
    }

    /// <summary>
    /// The database side of one refresher cycle (claim the due tokens, then find the next due time), with
    /// <paramref name="due"/> tokens due, rolled back each time so every run sees the same rows: median and p95 of 200.
    /// </summary>
    public async Task<(double Median, double P95)> MeasureCycleAsync(int due)
    {
        await using var db = Context();
        await db.Database.ExecuteSqlAsync(
            $"UPDATE tokens SET refresh_due_at = now() + interval '1 day' WHERE refresh_due_at <= now()");
        await db.Database.ExecuteSqlAsync($"""
            UPDATE tokens SET refresh_due_at = now() - interval '1 second'
            WHERE id IN (SELECT id FROM tokens ORDER BY id LIMIT {due})
            """);
        var leases = new RefreshLeases(Options.Create(new RefreshOptions()), TimeProvider.System);
        var times = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var started = Stopwatch.GetTimestamp();
            var claimed = await leases.ClaimDueAsync(db, new RefreshOptions().BatchSize, CancellationToken.None);
            await db.Tokens.Where(t => t.IsValid && !t.IsRevoked).MinAsync(t => (DateTimeOffset?)t.RefreshDueAt);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await transaction.RollbackAsync();
            if (claimed.Count != due)
            {
                throw new InvalidOperationException($"claimed {claimed.Count} tokens, expected {due}");
            }
            if (i >= 20)
            {
                times.Add(elapsed);
            }
        }
        times.Sort();
        return (times[times.Count / 2], times[(int)(times.Count * 0.95)]);
    }
}
