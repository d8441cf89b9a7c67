using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenPlatform.Sandbox.Clients;

namespace TokenPlatform.Sandbox.Storage;

public static class SandboxStorageExtensions
{
    public static WebApplicationBuilder AddSandboxStorage(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SandboxOptions.SectionName);
        builder.Services.Configure<SandboxOptions>(section);

        // Created by the container, so the container disposes it (deleting a throw-away file) when the host
        // stops, also after a failed start such as a port already in use.
        builder.Services.AddSingleton(
            services => SandboxDatabase.From(services.GetRequiredService<IOptions<SandboxOptions>>().Value));
        builder.Services.AddDbContext<SandboxDbContext>((services, options) => options
            .UseSqlite(services.GetRequiredService<SandboxDatabase>().ConnectionString)
            .UseOpenIddict());

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<SandboxDbContext>());

        builder.Services.AddScoped<ClientRegistry>();
        builder.Services.AddHealthChecks().AddCheck<SandboxDatabaseHealthCheck>("sandbox-db");

        return builder;
    }

    /// <summary>
    /// Creates the schema and registers the configured clients before the host starts, so the first
    /// request already finds them.
    /// </summary>
    public static async Task PrepareSandboxStorageAsync(
        this WebApplication app, CancellationToken cancellationToken = default)
    {
        var database = app.Services.GetRequiredService<SandboxDatabase>();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(database.Path)!);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SandboxDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);

        var registry = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<SandboxOptions>>().Value;
        foreach (var client in options.Clients)
        {
            await registry.SeedAsync(client, cancellationToken);
        }

        app.Logger.LogInformation(
            "Sandbox database {DatabasePath} ready with {SeededClientCount} configured clients", database.Path,
            options.Clients.Count);
    }
}
