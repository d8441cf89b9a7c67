using FastEndpoints;

namespace Token.Api.EndpointRules;

/// <summary>Admin endpoints whose answer carries a secret (a new API key, a login ticket): never cached.</summary>
public sealed class AdminSecretEndpoints : SubGroup<AdminEndpoints>
{
    public AdminSecretEndpoints() => Configure("", endpoint => endpoint.PreProcessor<NoStoreOnSuccess>(Order.Before));
}
