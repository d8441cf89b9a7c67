using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Token.Core.Outbound;
using Token.Core.Providers;
using Token.Core.Security;
using Token.Core.Webhooks;

namespace Token.Core.Tokens;

public static class TokenServicesExtensions
{
    /// <summary>Encryption, providers and the grant lifecycle: what both token-api and token-refresher need.</summary>
    public static TBuilder AddTokenServices<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SecretEncryptionOptions>().BindConfiguration("TokenEncryption")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Keys), "TokenEncryption:Keys is required").ValidateOnStart();
        builder.Services.AddOptions<ProviderOptions>().BindConfiguration("Providers")
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RefreshOptions>()
            .BindConfiguration("Refresh")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks")
            .ValidateDataAnnotations()
            .Validate(o => o.RetryDelays.All(delay => delay >= TimeSpan.Zero) && o.DisableAfter > TimeSpan.Zero &&
                           o.SecretOverlap >= TimeSpan.Zero && o.IdlePoll > TimeSpan.Zero && o.Retention > TimeSpan.Zero,
                "Webhooks: RetryDelays and SecretOverlap must not be negative; DisableAfter, IdlePoll and Retention " +
                "must be positive")
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddScoped<EncryptionKeyUsage>();
        builder.Services.AddScoped<ProviderCatalog>();
        builder.Services.AddScoped<GrantStore>();
        builder.Services.AddScoped<TokenLifecycle>();
        builder.Services.AddScoped<ProviderChangeRevocation>();
        builder.Services.AddSingleton<RefreshSchedule>();
        builder.Services.AddSingleton<RefreshLeases>();
        builder.Services.AddHostedService<AttemptLeaseRenewal>();
        builder.Services.AddSingleton<ProviderCircuits>();
        builder.Services.AddSingleton<RefreshMetrics>();

        // A token request is not idempotent (a code is single use), so no automatic retries.
#pragma warning disable EXTEXP0001 // the supported way to opt one client out of ServiceDefaults' resilience handler
        builder.Services.AddHttpClient<OAuthProviderClient>().AddOutboundRules().RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        return builder;
    }

    /// <summary>Refuses to go on when the database holds secrets under a key that is not configured.</summary>
    public static async Task EnsureEncryptionKeysAsync(this IHost host, CancellationToken ct = default)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EncryptionKeyUsage>().EnsureEveryKeyIsConfiguredAsync(ct);
    }
}
