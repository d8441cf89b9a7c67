namespace Token.Gateway.Edge;

/// <summary>
/// https is the way in when the public address is https: an https answer carries HSTS, and a plain-HTTP request is
/// sent to the same path under <c>PublicUrl:BaseUrl</c> (308, so the method and body are kept), never to an address
/// taken from the request. The gateway's own probes are answered over plain HTTP, for orchestrators that probe the
/// pod directly. "https" is the scheme of the connection, or the one a trusted proxy reports
/// (<c>Gateway:TrustedProxies</c>), so behind a TLS-terminating load balancer nothing is redirected.
/// </summary>
internal static class TransportSecurity
{
    public static void UseTransportSecurity(this WebApplication app, GatewayOptions gateway)
    {
        var publicUrl = app.Configuration[RequiredSetting.PublicUrl.Name] is { Length: > 0 } configured
            ? new Uri(configured)
            : null;
        var redirectTo = gateway.RedirectPlainHttp && publicUrl?.Scheme == Uri.UriSchemeHttps
            ? publicUrl.GetLeftPart(UriPartial.Authority) + publicUrl.AbsolutePath.TrimEnd('/')
            : null;
        var hsts = gateway.HstsMaxAge > TimeSpan.Zero ? $"max-age={(long)gateway.HstsMaxAge.TotalSeconds}" : null;
        if (redirectTo is null && hsts is null)
        {
            return;
        }
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps)
            {
                if (hsts is not null)
                {
                    context.Response.Headers.StrictTransportSecurity = hsts;
                }
            }
            else if (redirectTo is not null && !request.Path.StartsWithSegments(GatewayPaths.Probes))
            {
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = redirectTo + request.Path + request.QueryString;
                return Task.CompletedTask;
            }
            return next(context);
        });
    }
}
