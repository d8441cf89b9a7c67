namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Query strings here carry secrets (an authorization code, a state, a login ticket, a token for tokeninfo), and
/// the Aspire dashboard asks instrumentations not to redact them. Spans keep the parameter names, never the values.
/// </summary>
public static class QueryRedaction
{
    public static string Redact(string? query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return "";
        }
        var names = query.TrimStart('?').Split(
            '&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=')[0] + "=Redacted");
        return "?" + string.Join('&', names);
    }
}
