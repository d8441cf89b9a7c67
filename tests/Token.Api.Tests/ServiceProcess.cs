using System.Collections.Concurrent;
using System.Diagnostics;

namespace Token.Api.Tests;

/// <summary>
/// A service's build from this test folder run as a process of its own, configured from the environment only, as a
/// published service runs; for what happens before it serves: settings checks, the migration step.
/// </summary>
internal static class ServiceProcess
{
    /// <summary>A setting that stops a service must stop it within this (issue 15).</summary>
    public static readonly TimeSpan SettingsCheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Every setting Production requires, valid; the addresses are closed ports.</summary>
    public static Dictionary<string, string?> Production() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__tokendb"] = "Host=127.0.0.1;Port=9;Database=tokendb;Username=u;Password=p",
        ["ConnectionStrings__messaging"] = "amqp://u:p@127.0.0.1:9",
        ["TokenEncryption__Keys"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
        ["Auth__AdminApiKey"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
        ["PublicUrl__BaseUrl"] = "https://tokens.example.com"
    };

    /// <summary>
    /// Runs the service (e.g. <c>Token.Api</c>) with these arguments; its exit code and output once it exits, which
    /// must be within <paramref name="timeout"/> (default <see cref="SettingsCheckTimeout"/>).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string service, IReadOnlyDictionary<string, string?> environment, string[]? arguments = null,
        TimeSpan? timeout = null)
    {
        var exitTimeout = timeout ?? SettingsCheckTimeout;
        using var process = Process.Start(StartInfo(service, environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(exitTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{service} was still running after {exitTimeout.TotalSeconds} s: {await output}");
        }
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>
    /// The service (e.g. <c>Token.Api</c>) started and left running, its output lines collected as they come; the
    /// caller kills it.
    /// </summary>
    public static (Process Process, ConcurrentQueue<string> Output) Start(
        string service, IReadOnlyDictionary<string, string?> environment)
    {
        var process = Process.Start(StartInfo(service, environment, null))!;
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static ProcessStartInfo StartInfo(
        string service, IReadOnlyDictionary<string, string?> environment, string[]? arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, $"{service}.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(IsOurs).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }

    private static bool IsOurs(string variable) =>
        variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || variable.StartsWith("DOTNET_ENV")
        || variable.StartsWith("OTEL_", StringComparison.Ordinal) || variable.Contains("__");
}
