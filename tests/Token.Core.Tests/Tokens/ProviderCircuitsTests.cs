using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Token.Core.Tokens;

namespace Token.Core.Tests.Tokens;

public sealed class ProviderCircuitsTests
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly ProviderCircuits _circuits;

    public ProviderCircuitsTests() =>
        _circuits = new ProviderCircuits(
            Options.Create(new RefreshOptions { CircuitFailures = 3, CircuitOpen = OpenFor }), _time);

    [Fact]
    public void The_circuit_opens_after_the_configured_failures_in_a_row_and_keeps_calls_away_while_open()
    {
        _circuits.Failed("google");
        _circuits.Failed("google");
        Assert.Null(_circuits.OpenUntil("google"));

        _circuits.Failed("google");

        Assert.Equal(_time.GetUtcNow() + OpenFor, _circuits.OpenUntil("google"));
        _time.Advance(OpenFor - TimeSpan.FromSeconds(1));
        Assert.NotNull(_circuits.OpenUntil("google"));
    }

    [Fact]
    public void A_success_between_failures_starts_the_count_again()
    {
        _circuits.Failed("google");
        _circuits.Failed("google");
        _circuits.Succeeded("google");
        _circuits.Failed("google");
        _circuits.Failed("google");

        Assert.Null(_circuits.OpenUntil("google"));
    }

    [Fact]
    public void Once_open_long_enough_one_call_is_let_through_and_the_others_look_again_shortly_for_its_outcome()
    {
        OpenCircuit("google");
        _time.Advance(OpenFor);

        Assert.Null(_circuits.OpenUntil("google"));
        // Not a whole open period: they go as soon as the trial succeeded.
        Assert.Equal(_time.GetUtcNow() + ProviderCircuits.TrialPoll, _circuits.OpenUntil("google"));
        _time.Advance(ProviderCircuits.TrialPoll);
        Assert.Equal(_time.GetUtcNow() + ProviderCircuits.TrialPoll, _circuits.OpenUntil("google"));

        _circuits.Succeeded("google");
        Assert.Null(_circuits.OpenUntil("google"));
    }

    [Fact]
    public void A_trial_call_that_fails_again_keeps_the_circuit_open()
    {
        OpenCircuit("google");
        _time.Advance(OpenFor);
        Assert.Null(_circuits.OpenUntil("google"));

        _circuits.Failed("google");

        Assert.Equal(_time.GetUtcNow() + OpenFor, _circuits.OpenUntil("google"));
    }

    [Fact]
    public void Each_provider_has_its_own_circuit()
    {
        OpenCircuit("google");

        Assert.NotNull(_circuits.OpenUntil("google"));
        Assert.Null(_circuits.OpenUntil("sandbox"));
    }

    private void OpenCircuit(string provider)
    {
        for (var i = 0; i < 3; i++)
        {
            _circuits.Failed(provider);
        }
    }
}
