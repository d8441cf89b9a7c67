using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Token.Api.Tests;

/// <summary>
/// Token.Client and Token.Contracts as a service gets them: packed by <c>dotnet pack</c>, then restored from that
/// folder by a console project outside the repository that registers the client and names an event type.
/// </summary>
public sealed class ClientPackageTests : IDisposable
{
    /// <summary>Packing or building takes seconds; a hang must not stall the tier.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] Packages = ["Token.Client", "Token.Contracts"];

    /// <summary>
    /// A version no earlier run packed: the machine's package cache keeps every version it restored, so a stale
    /// copy under the repository's own version could stand in for this build.
    /// </summary>
    private readonly string _version = $"0.0.0-test.{Guid.NewGuid():N}";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("token-client-package-");

    [Fact]
    public async Task Both_packages_are_packed_and_a_service_outside_the_repository_builds_against_them()
    {
        var feed = _work.CreateSubdirectory("feed").FullName;
        foreach (var package in Packages)
        {
            await DotnetAsync(Repository.Root, "pack", Path.Combine(package, $"{package}.csproj"),
                "-c", "Release", "-o", feed, $"-p:Version={_version}");
        }

        foreach (var package in Packages)
        {
            var nupkg = Path.Combine(feed, $"{package}.{_version}.nupkg");
            Assert.True(File.Exists(nupkg), $"dotnet pack made no {Path.GetFileName(nupkg)} in {feed}");
            using var zip = ZipFile.OpenRead(nupkg);
            // Callers read the API in their editor: the documentation travels with the assembly.
            Assert.Contains(zip.Entries, entry => entry.FullName == $"lib/net10.0/{package}.xml");
        }

        var consumer = WriteConsumer(feed);
        await DotnetAsync(consumer, "build", "-c", "Release");
        var output = await DotnetAsync(consumer, Path.Combine("bin", "Release", "net10.0", "Consumer.dll"));
        Assert.Contains("Token.Contracts.TokenRefreshed from Token.Client.TokenPlatformClient", output);
    }

    public void Dispose()
    {
        _work.Delete(recursive: true);
        // Only this run's version: nothing else will ever restore it.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var restored = new DirectoryInfo(Path.Combine(cache, package.ToLowerInvariant(), _version));
            if (restored.Exists)
            {
                restored.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// A console project that takes both packages from <paramref name="feed"/>, with empty Directory.*.props of its
    /// own so that nothing above the temp folder applies; the machine's package sources still serve the rest.
    /// </summary>
    private string WriteConsumer(string feed)
    {
        var consumer = _work.CreateSubdirectory("consumer").FullName;
        void Write(string name, string text) => File.WriteAllText(Path.Combine(consumer, name), text);
        Write("Directory.Build.props", "<Project />");
        Write("Directory.Packages.props", "<Project />");
        Write("nuget.config", $"""
            <configuration>
              <packageSources>
                <add key="token-platform-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        Write("Consumer.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Token.Client" Version="{_version}" />
                <PackageReference Include="Token.Contracts" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        Write("Program.cs", """
            using Microsoft.Extensions.DependencyInjection;
            using Token.Client;
            using Token.Contracts;

            var services = new ServiceCollection();
            services.AddTokenPlatformClient(options =>
            {
                options.BaseAddress = new Uri("http://localhost:8002");
                options.ApiKey = "a-key";
            });
            using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<ITokenPlatformClient>();
            Console.WriteLine($"{typeof(TokenRefreshed).FullName} from {client.GetType().FullName}");
            """);
        return consumer;
    }

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/>; its output is the failure's message.</summary>
    private static async Task<string> DotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        if (arguments[0] is "pack" or "build")
        {
            // MSBuild nodes left running would hold this process's pipes open after the build ends.
            start.ArgumentList.Add("--disable-build-servers");
        }
        // The test host's MSBuild settings belong to the build that made it, not to these.
        foreach (var variable in start.Environment.Keys.Where(key =>
                     key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(variable);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var ended = true;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            ended = false;
            process.Kill(entireProcessTree: true);
        }

        var command = $"dotnet {string.Join(' ', arguments)} (in {directory})";
        Assert.True(ended, $"{command} did not end within {CommandTimeout}:\n{output}");
        Assert.True(process.ExitCode == 0, $"{command} failed with {process.ExitCode}:\n{output}");
        return output.ToString();

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }
}
