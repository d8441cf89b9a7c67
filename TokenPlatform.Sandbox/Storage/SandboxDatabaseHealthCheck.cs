using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TokenPlatform.Sandbox.Storage;

internal sealed class SandboxDatabaseHealthCheck(SandboxDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy("database answers")
            : new HealthCheckResult(context.Registration.FailureStatus, "database does not answer");
}
