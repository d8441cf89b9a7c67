using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Token.Core.Data;

/// <summary>Healthy only when the database answers and its schema has every migration this build knows.</summary>
internal sealed class TokenDatabaseSchemaHealthCheck(TokenDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
        return pending == 0
            ? HealthCheckResult.Healthy("schema is current")
            : new HealthCheckResult(context.Registration.FailureStatus, $"{pending} migrations pending");
    }
}
