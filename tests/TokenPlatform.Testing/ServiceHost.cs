using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TokenPlatform.Testing;

/// <summary>
/// One of our services in this process, from its own Program (the assembly of <typeparamref name="TEntryPoint"/>),
/// with these settings in this environment: on a real Kestrel port when given one, so that callers, browsers and
/// other instances reach it as they would the service; else on a test server (e.g. the refresher, a worker).
/// Settings given this way are there before Program reads them (connection strings at registration).
/// </summary>
public class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _environment;

    public ServiceHost(IReadOnlyDictionary<string, string?> settings, string environment, int? port = null)
    {
        (_settings, _environment) = (settings, environment);
        if (port is { } kestrelPort)
        {
            UseKestrel(kestrelPort);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
