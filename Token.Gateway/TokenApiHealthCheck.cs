using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;

namespace Token.Gateway;

/// <summary>
/// The gateway is only ready when token-api, the service behind it, answers: at least one of the proxy's token-api
/// destinations (as resolved, e.g. through service discovery) answers <c>/alive</c>, all asked at once.
/// </summary>
internal sealed class TokenApiHealthCheck(HttpClient http, IProxyStateLookup proxy) : IHealthCheck
{
    public const string Cluster = "token-api";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!proxy.TryGetCluster(Cluster, out var cluster) || cluster.Destinations.IsEmpty)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "no token-api destination is configured");
        }
        var answers = await Task.WhenAll(cluster.Destinations.Values.Select(destination =>
            AskAsync(destination.Model.Config.Address, cancellationToken)));
        var reachable = answers.Count(answer => answer is null);
        return reachable > 0
            ? HealthCheckResult.Healthy($"{reachable} of {answers.Length} token-api instances answer")
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", answers.Distinct()));
    }

    /// <summary>Null when the instance answers, else why not.</summary>
    private async Task<string?> AskAsync(string address, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(address), "/alive"), cancellationToken);
            return response.IsSuccessStatusCode ? null : $"token-api answered {(int)response.StatusCode}";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"token-api did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return "token-api is unreachable";
        }
    }
}
