using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using Token.Core.Data;

namespace Token.Core.Tokens;

/// <summary>
/// Renews, every <see cref="RefreshLeases.AttemptRenewal"/>, the leases of the refreshes this process has sent, so
/// that only a holder that died is replaced early (<see cref="RefreshLeases.AttemptLease"/>). It goes on after the
/// process is asked to stop for as long as it holds any: a refresh once sent runs to its end, stored.
/// </summary>
public sealed partial class AttemptLeaseRenewal(
    IServiceScopeFactory scopes, RefreshLeases leases, TimeProvider time, ILogger<AttemptLeaseRenewal> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested || leases.AttemptsHeld > 0)
        {
            try
            {
                await Task.Delay(RefreshLeases.AttemptRenewal, time,
                    leases.AttemptsHeld > 0 ? CancellationToken.None : stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // Once a second in every process with a refresh in flight: not worth a trace each.
                using var quiet = SuppressInstrumentationScope.Begin();
                await using var scope = scopes.CreateAsyncScope();
                await leases.RenewAttemptsAsync(
                    scope.ServiceProvider.GetRequiredService<TokenDbContext>(), CancellationToken.None);
                failing = false;
            }
            catch (Exception exception)
            {
                // The database is away: nobody can claim meanwhile, and the next renewal comes a second later.
                if (!failing)
                {
                    LogRenewalFailed(exception);
                }
                failing = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Renewing the leases of refreshes in flight failed; trying every second")]
    private partial void LogRenewalFailed(Exception exception);
}
