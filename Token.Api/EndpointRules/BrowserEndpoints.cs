using FastEndpoints;

namespace Token.Api.EndpointRules;

/// <summary>
/// The consent flow's browser endpoints: a business owner's browser or the provider calls them without an API key
/// (the single-use login ticket and the state stand in for one); never cached.
/// </summary>
public sealed class BrowserEndpoints : Group
{
    public BrowserEndpoints() => Configure("", endpoint =>
    {
        endpoint.AllowAnonymous();
        endpoint.PreProcessor<NoStoreOnSuccess>(Order.Before);
    });
}
