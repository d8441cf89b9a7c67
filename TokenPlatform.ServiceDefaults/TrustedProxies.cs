using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> a service believes, as a list of networks
/// (CIDR, e.g. <c>10.0.0.0/8</c>) or single addresses.
/// </summary>
public static class TrustedProxies
{
    public static bool AreNetworks(IEnumerable<string> entries) => entries.All(entry => TryParse(entry, out _));

    /// <summary>
    /// Walks X-Forwarded-For from the right while the hop is one of <paramref name="entries"/> (validated with
    /// <see cref="AreNetworks"/>); the first other address is the client. Loopback, which ASP.NET Core trusts by
    /// default, is trusted only when listed.
    /// </summary>
    public static ForwardedHeadersOptions Forwarding(IEnumerable<string> entries)
    {
        var forwarding = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null
        };
        forwarding.KnownProxies.Clear();
        forwarding.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            forwarding.KnownIPNetworks.Add(TryParse(entry, out var network)
                ? network
                : throw new InvalidOperationException($"Trusted proxy '{entry}' is not a network."));
        }
        return forwarding;
    }

    private static bool TryParse(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return IPNetwork.TryParse(value, out network);
    }
}
