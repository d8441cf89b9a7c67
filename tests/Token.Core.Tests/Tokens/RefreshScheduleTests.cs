using Microsoft.Extensions.Options;
using Token.Core.Tokens;

namespace Token.Core.Tests.Tokens;

public sealed class RefreshScheduleTests
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_is_due_its_buffer_before_expiry_spread_by_the_jitter()
    {
        var schedule = Schedule(new RefreshOptions { Buffer = TimeSpan.FromMinutes(5), Jitter = 0.1 });
        var expiresAt = IssuedAt.AddHours(1);

        var dueTimes = Enumerable.Range(0, 200).Select(_ => schedule.DueAt(IssuedAt, expiresAt, "google")).ToList();

        Assert.All(dueTimes, due => Assert.InRange(due, expiresAt.AddSeconds(-330), expiresAt.AddSeconds(-270)));
        Assert.True(dueTimes.Distinct().Count() > 1, "grants issued together must not all be due together");
    }

    [Fact]
    public void A_providers_own_buffer_replaces_the_default()
    {
        var schedule = Schedule(new RefreshOptions
        {
            Buffer = TimeSpan.FromMinutes(5), Jitter = 0, ProviderBuffers = { ["slow-idp"] = TimeSpan.FromMinutes(20) }
        });
        var expiresAt = IssuedAt.AddHours(1);

        Assert.Equal(expiresAt.AddMinutes(-20), schedule.DueAt(IssuedAt, expiresAt, "slow-idp"));
        Assert.Equal(expiresAt.AddMinutes(-5), schedule.DueAt(IssuedAt, expiresAt, "google"));
    }

    [Fact]
    public void The_buffer_is_never_more_than_half_the_tokens_lifetime()
    {
        var schedule = Schedule(new RefreshOptions { Buffer = TimeSpan.FromMinutes(5), Jitter = 0 });

        Assert.Equal(IssuedAt.AddSeconds(10), schedule.DueAt(IssuedAt, IssuedAt.AddSeconds(20), "google"));
    }

    [Fact]
    public void A_long_lived_grant_is_due_at_its_keep_alive()
    {
        var schedule = Schedule(new RefreshOptions { KeepAlive = TimeSpan.FromDays(7), Jitter = 0 });

        Assert.Equal(IssuedAt.AddDays(7), schedule.DueAt(IssuedAt, IssuedAt.AddDays(30), "google"));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(1000, 300)]
    public void Backoff_doubles_from_the_base_up_to_the_cap_within_20_percent(int failures, int expectedSeconds)
    {
        var schedule = Schedule(
            new RefreshOptions { BackoffBase = TimeSpan.FromSeconds(5), BackoffMax = TimeSpan.FromMinutes(5) });

        var waits = Enumerable.Range(0, 100)
            .Select(_ => schedule.Backoff(failures, retryAfter: null).TotalSeconds).ToList();

        Assert.All(waits, wait => Assert.InRange(wait, expectedSeconds * 0.8, expectedSeconds * 1.2));
    }

    [Fact]
    public void Backoff_is_never_sooner_than_the_providers_Retry_After()
    {
        var schedule = Schedule(new RefreshOptions { BackoffBase = TimeSpan.FromSeconds(5) });

        Assert.Equal(TimeSpan.FromMinutes(2), schedule.Backoff(1, retryAfter: TimeSpan.FromMinutes(2)));
        Assert.InRange(schedule.Backoff(1, retryAfter: TimeSpan.FromSeconds(1)).TotalSeconds, 4, 6);
    }

    private static RefreshSchedule Schedule(RefreshOptions options) => new(Options.Create(options));
}
