using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A setting a service cannot run without, and what makes its value wrong (null when it is fine), in this
/// environment. Checked by <see cref="RequiredSettings.Hold"/> before anything is built from it.
/// </summary>
public sealed record RequiredSetting(string Name, Func<string?, IHostEnvironment, string?> Problem)
{
    /// <summary>Set to something other than blanks, in every environment.</summary>
    public static RequiredSetting Present(string name) =>
        new(name, (value, _) => string.IsNullOrWhiteSpace(value) ? "is not set" : null);

    /// <summary>
    /// Where browsers and callers reach the gateway: token-api makes login links and redirect URIs from it, the
    /// gateway sends plain HTTP there. https, or plain http on this machine's loopback (browsers keep the consent
    /// cookie, which is Secure, there) outside Production.
    /// </summary>
    public static readonly RequiredSetting PublicUrl = new("PublicUrl:BaseUrl", (value, environment) =>
        string.IsNullOrWhiteSpace(value) ? (environment.IsProduction() ? "is not set" : null)
        : !Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
            ? "is not an absolute http(s) URL"
        : url.Scheme == Uri.UriSchemeHttps ? null
        : environment.IsProduction() ? "is not https"
        : !url.IsLoopback ? "is not https (plain http is for loopback addresses only)"
        : null);

    /// <summary>When set, a file this process can read (a certificate, a key).</summary>
    public static RequiredSetting ReadableFile(string name) =>
        new(name, (value, _) => string.IsNullOrWhiteSpace(value) || IsReadable(value) ? null
            : $"names {value}, which is not a file this process can read");

    private static bool IsReadable(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

public static class RequiredSettings
{
    /// <summary>
    /// Environment variable naming a directory whose files are settings, one per file (Kubernetes Secret volumes):
    /// the file name is the setting's name with <c>__</c> for <c>:</c>, its content the value. Read after the
    /// environment, so a file wins.
    /// </summary>
    public const string DirectoryVariable = "TOKENPLATFORM_SETTINGS_DIR";

    /// <summary>Adds the settings directory named by <see cref="DirectoryVariable"/>, when there is one.</summary>
    public static void AddSettingsDirectory(this IConfigurationBuilder configuration)
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
        {
            configuration.AddKeyPerFile(Path.GetFullPath(directory), optional: false);
        }
    }

    /// <summary>
    /// True when every setting holds. Otherwise writes one line per failed setting to standard error, naming it
    /// ("Token.Api cannot start: ConnectionStrings:tokendb is not set."), for the caller to end the process with a
    /// non-zero exit code before anything is built from the settings, instead of failing at the first request.
    /// </summary>
    public static bool Hold(this IHostApplicationBuilder builder, IEnumerable<RequiredSetting> settings)
    {
        var failed = settings
            .Select(setting => (setting.Name, Problem: setting.Problem(builder.Configuration[setting.Name],
                builder.Environment)))
            .Where(check => check.Problem is not null)
            .ToList();
        foreach (var (name, problem) in failed)
        {
            Console.Error.WriteLine($"{builder.Environment.ApplicationName} cannot start: {name} {problem}.");
        }
        return failed.Count == 0;
    }

    /// <summary>
    /// Builds the application and validates every options class registered with <c>ValidateOnStart</c> (building
    /// may validate some already, e.g. those Kestrel's options are made from). Null when one fails, after one line per
    /// failure on standard error, as <see cref="Hold"/> writes, instead of the host's exception and stack trace.
    /// </summary>
    public static WebApplication? BuildIfOptionsHold(this WebApplicationBuilder builder)
    {
        try
        {
            var app = builder.Build();
            app.Services.GetService<IStartupValidator>()?.Validate();
            return app;
        }
        catch (Exception exception) when (Failures(exception) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"{builder.Environment.ApplicationName} cannot start: {failure}");
            }
            return null;
        }
    }

    private static List<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException all when all.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(invalid => invalid.Failures)],
        _ => []
    };
}
