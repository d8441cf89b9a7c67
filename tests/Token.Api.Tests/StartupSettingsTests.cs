namespace Token.Api.Tests;

/// <summary>
/// The services started as processes of their own in Production, configured from the environment only: a setting
/// they cannot run without, missing or wrong, ends them at once with one line naming it, not a stack trace later.
/// Nothing listens at the configured addresses: a service that got past the check would fail differently.
/// </summary>
public sealed class StartupSettingsTests
{
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
    [InlineData("Token.Gateway", "PublicUrl__BaseUrl", null)]
    [InlineData("Token.Gateway", "PublicUrl__BaseUrl", "http://tokens.example.com")]
    [InlineData("Token.Gateway", "Kestrel__Certificates__Default__Path", "/nonexistent/tls.crt")]
    [InlineData("Token.Gateway", "Kestrel__Certificates__Default__KeyPath", "/nonexistent/tls.key")]
    [InlineData("Token.Refresher", "ConnectionStrings__tokendb", null)]
    [InlineData("Token.Refresher", "ConnectionStrings__messaging", null)]
    [InlineData("Token.Refresher", "TokenEncryption__Keys", null)]
    public async Task A_missing_or_invalid_production_setting_ends_the_service_at_once_naming_it(
        string service, string variable, string? value)
    {
        var environment = ServiceProcess.Production();
        environment[variable] = value;

        var (exitCode, _, errors) = await ServiceProcess.RunAsync(service, environment);

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
    [InlineData("Token.Gateway", "Gateway__HstsMaxAge", "-00:00:01", "HstsMaxAge")]
    [InlineData("Token.Api", "Auth__MaxRememberedUnknownKeys", "0", "MaxRememberedUnknownKeys")]
    [InlineData("Token.Api", "Forwarding__TrustedProxies__0", "not-a-network", "Forwarding:TrustedProxies")]
    [InlineData("Token.Api", "Refresh__BatchSize", "0", "BatchSize")]
    [InlineData("Token.Refresher", "Refresh__BatchSize", "0", "BatchSize")]
    public async Task A_setting_out_of_its_range_ends_the_service_at_once_with_one_line_naming_it(
        string service, string variable, string value, string named)
    {
        var environment = ServiceProcess.Production();
        environment[variable] = value;

        var (exitCode, _, errors) = await ServiceProcess.RunAsync(service, environment);

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
            var environment = ServiceProcess.Production();
            environment["TOKENPLATFORM_SETTINGS_DIR"] = directory.FullName;

            var (exitCode, _, errors) = await ServiceProcess.RunAsync("Token.Api", environment);

            Assert.NotEqual(0, exitCode);
            Assert.Equal("Token.Api cannot start: PublicUrl:BaseUrl is not https.", errors.Trim());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
