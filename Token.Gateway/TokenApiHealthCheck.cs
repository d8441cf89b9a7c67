using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Token.Gateway;

/// <summary>The gateway is only ready when token-api, the service behind it, answers.</summary>
internal sealed class TokenApiHealthCheck(HttpClient tokenApi) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await tokenApi.GetAsync("/alive", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("token-api is reachable")
                : new HealthCheckResult(
                    context.Registration.FailureStatus, $"token-api answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "token-api is unreachable", exception);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus, $"token-api did not answer within {Timeout.TotalSeconds:0} s");
        }
    }
}
