using System.Security.Cryptography;
using Token.Core.Security;

namespace Token.Api.Features.OAuth;

/// <summary>
/// Binds an authorization request to the browser that spent its login ticket: that browser gets a random value in a
/// cookie, the request stores its hash, and the callback requires both to match. A callback URL (code and state)
/// carried to another browser, or a provider link opened anywhere else, then completes nothing (RFC 6749 §10.12).
/// </summary>
public static class BrowserBinding
{
    /// <summary>
    /// One cookie per request, so two consents started in one browser do not overwrite each other. <c>__Host-</c>:
    /// only this host, over https (or localhost), can set it.
    /// </summary>
    public static string CookieName(string stateHash) => $"__Host-consent-{stateHash[..16]}";

    /// <summary>Gives the browser the binding <paramref name="value"/> for the rest of the request's life.</summary>
    public static void Set(HttpResponse response, string stateHash, string value, TimeSpan lifetime) =>
        response.Cookies.Append(CookieName(stateHash), value, Options(lifetime));

    /// <summary>Whether the browser holds the cookie whose value hashes to <paramref name="storedHash"/>.</summary>
    public static BrowserBindingCheck Check(HttpRequest request, string stateHash, string? storedHash)
    {
        if (storedHash is null)
        {
            return BrowserBindingCheck.NoBinding;
        }
        if (!request.Cookies.TryGetValue(CookieName(stateHash), out var value) || string.IsNullOrEmpty(value))
        {
            return BrowserBindingCheck.NoCookie;
        }
        return CryptographicOperations.FixedTimeEquals(
                Convert.FromHexString(RandomValues.Hash(value)), Convert.FromHexString(storedHash))
            ? BrowserBindingCheck.Bound
            : BrowserBindingCheck.WrongCookie;
    }

    /// <summary>Deletes the request's cookie if the browser sent it: it is good for one callback at most.</summary>
    public static void Forget(HttpContext context, string stateHash)
    {
        var name = CookieName(stateHash);
        if (context.Request.Cookies.ContainsKey(name))
        {
            context.Response.Cookies.Delete(name, Options(TimeSpan.Zero));
        }
    }

    // Lax: the provider sends the browser back with a top-level GET from its own site, which Strict would leave bare.
    private static CookieOptions Options(TimeSpan lifetime) => new()
    {
        Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/", IsEssential = true,
        MaxAge = lifetime > TimeSpan.Zero ? lifetime : null
    };
}
