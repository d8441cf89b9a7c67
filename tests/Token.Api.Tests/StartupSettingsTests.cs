using System.Diagnostics;

namespace Token.Api.Tests;

/// <summary>
/// The services started as processes of their own in Production, configured from the environment only: a setting
/// they cannot run without, missing or wrong, ends them at once with one line naming it, not a stack trace later.
/// Nothing listens at the configured addresses: a service that got past the check would fail differently.
/// </summary>
public sealed class StartupSettingsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("Token.Api", "ConnectionStrings__tokendb", null)]
    [InlineData("Token.Api", "ConnectionStrings__messaging", null)]
    [InlineData("Token.Api", "TokenEncryption__Keys", null)]
    [InlineData("Token.Api", "TokenEncryption__Keys", "0123456789abcdef0123456789abcdef,too-short")]
    [InlineData("Token.Api", "TokenEncryption__Keys", ",")]
    [InlineData("Token.Api", "Auth__AdminApiKey", null)]
    [InlineData("Token.Api", "Auth__AdminApiKey", "admin")]
    [InlineData("Token.Api", "Auth__AdminApiKey", "an admin key with spaces that is long enough")]
    [InlineData("Token.Api", "PublicUrl__BaseUrl", null)]
    [InlineData("Token.Api", "PublicUrl__BaseUrl", "http://tokens.example.com")]
    [InlineData("Token.Api", "PublicUrl__BaseUrl", "tokens.example.com")]
    [InlineData("Token.Refresher", "ConnectionStrings__tokendb", null)]
    [InlineData("Token.Refresher", "ConnectionStrings__messaging", null)]
    [InlineData("Token.Refresher", "TokenEncryption__Keys", null)]
    public async Task A_missing_or_invalid_production_setting_ends_the_service_at_once_naming_it(
        string service, string variable, string? value)
    {
        var environment = Production();
        environment[variable] = value;

        var (exitCode, errors) = await RunAsync(service, environment);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{service} cannot start: {variable.Replace("__", ":")} ", line);
        Assert.DoesNotContain(" at ", line);
    }

    [Theory]
    [InlineData("Token.Gateway", "Gateway__TrustedProxies__0", "not-a-network", "Gateway:TrustedProxies")]
    [InlineData("Token.Gateway", "Gateway__MaxRequestBodyBytes", "0", "MaxRequestBodyBytes")]
    [InlineData("Token.Gateway", "Gateway__RateLimits__RefusalDelay", "00:01:00", "RefusalDelay")]
    [InlineData("Token.Gateway", "Gateway__RateLimits__PerAddressNewKeys__TokenLimit", "0", "TokenLimit")]
    [InlineData("Token.Api", "Auth__MaxRememberedUnknownKeys", "0", "MaxRememberedUnknownKeys")]
    [InlineData("Token.Api", "Refresh__BatchSize", "0", "BatchSize")]
    [InlineData("Token.Refresher", "Refresh__BatchSize", "0", "BatchSize")]
    public async Task A_setting_out_of_its_range_ends_the_service_at_once_with_one_line_naming_it(
        string service, string variable, string value, string named)
    {
        var environment = Production();
        environment[variable] = value;

        var (exitCode, errors) = await RunAsync(service, environment);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{service} cannot start: ", line);
        Assert.Contains(named, line);
    }

    [Fact]
    public async Task Settings_can_come_from_a_directory_of_files_which_win_over_the_environment()
    {
        var directory = Directory.CreateTempSubdirectory("settings-");
        try
        {
            await File.WriteAllTextAsync(
                Path.Combine(directory.FullName, "PublicUrl__BaseUrl"), "http://plain.example");
            var environment = Production();
            environment["TOKENPLATFORM_SETTINGS_DIR"] = directory.FullName;

            var (exitCode, errors) = await RunAsync("Token.Api", environment);

            Assert.NotEqual(0, exitCode);
            Assert.Equal("Token.Api cannot start: PublicUrl:BaseUrl is not https.", errors.Trim());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Every setting Production requires, valid; the addresses are closed ports.</summary>
    private static Dictionary<string, string?> Production() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__tokendb"] = "Host=127.0.0.1;Port=9;Database=tokendb;Username=u;Password=p",
        ["ConnectionStrings__messaging"] = "amqp://u:p@127.0.0.1:9",
        ["TokenEncryption__Keys"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
        ["Auth__AdminApiKey"] = $"{Guid.NewGuid():N}{Guid.NewGuid():N}",
        ["PublicUrl__BaseUrl"] = "https://tokens.example.com"
    };

    /// <summary>Runs the service's build from this folder; its exit code and standard error once it exits.</summary>
    private static async Task<(int ExitCode, string Errors)> RunAsync(
        string service, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, $"{service}.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var name in start.Environment.Keys.Where(IsOurs).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ExitTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{service} was still running after {ExitTimeout.TotalSeconds} s: {await output}");
        }
        return (process.ExitCode, await errors);
    }

    private static bool IsOurs(string variable) =>
        variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || variable.StartsWith("DOTNET_ENV")
        || variable.StartsWith("OTEL_", StringComparison.Ordinal) || variable.Contains("__");
}
