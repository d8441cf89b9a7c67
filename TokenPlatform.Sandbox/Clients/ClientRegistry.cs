using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenPlatform.Sandbox.Clients;

/// <summary>
/// Confidential clients allowed everything the sandbox offers: code + PKCE, refresh, revocation, introspection.
/// </summary>
public sealed class ClientRegistry(IOpenIddictApplicationManager applications, ILogger<ClientRegistry> logger)
{
    // Registration is check-then-create; serialising it turns two concurrent registrations of one id into a
    // create and a repeat instead of a unique-index violation.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private static readonly string[] SandboxPermissions =
    [
        OpenIddictConstants.Permissions.Endpoints.Authorization,
        OpenIddictConstants.Permissions.Endpoints.Token,
        OpenIddictConstants.Permissions.Endpoints.Revocation,
        OpenIddictConstants.Permissions.Endpoints.Introspection,
        OpenIddictConstants.Permissions.GrantTypes.AuthorizationCode,
        OpenIddictConstants.Permissions.GrantTypes.RefreshToken,
        OpenIddictConstants.Permissions.ResponseTypes.Code
    ];

    /// <summary>Registers a client at run time; an existing id is only accepted again with identical data.</summary>
    public async Task<RegistrationOutcome> RegisterAsync(SandboxClient client, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var existing = await applications.FindByClientIdAsync(client.ClientId, cancellationToken);
            if (existing is null)
            {
                await applications.CreateAsync(Describe(client), cancellationToken);
                logger.LogInformation(
                    "Registered client {ClientId} with {RedirectUriCount} redirect URIs", client.ClientId,
                    client.RedirectUris.Count);
                return RegistrationOutcome.Created;
            }

            var redirectUris = await applications.GetRedirectUrisAsync(existing, cancellationToken);
            var identical = redirectUris.ToHashSet(StringComparer.Ordinal).SetEquals(client.RedirectUris)
                && await applications.ValidateClientSecretAsync(existing, client.ClientSecret, cancellationToken);
            return identical ? RegistrationOutcome.AlreadyRegistered : RegistrationOutcome.Conflict;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Configuration is authoritative at start: a client kept in a persistent database is overwritten.
    /// </summary>
    public async Task SeedAsync(SandboxClient client, CancellationToken cancellationToken)
    {
        var descriptor = Describe(client);
        var existing = await applications.FindByClientIdAsync(client.ClientId, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }

        logger.LogInformation("Seeded client {ClientId} from configuration", client.ClientId);
    }

    private static OpenIddictApplicationDescriptor Describe(SandboxClient client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.ClientId
        };

        foreach (var uri in client.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        descriptor.Permissions.UnionWith(SandboxPermissions);
        return descriptor;
    }
}
