using System.ComponentModel;
using System.Diagnostics;

namespace TokenPlatform.Testing;

/// <summary>python3 as the seed's callers run it: a script, what it reads on stdin, what it printed.</summary>
public static class Python
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, string input)
    {
        var start = new ProcessStartInfo("python3", ["-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true
        };
        Process python;
        try
        {
            python = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"python3 could not be started ({e.Message}): this test does what a Python caller does, and needs " +
                "python3 on the PATH.", e);
        }
        using (python)
        {
            var output = python.StandardOutput.ReadToEndAsync();
            var errors = python.StandardError.ReadToEndAsync();
            await python.StandardInput.WriteAsync(input);
            python.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await python.WaitForExitAsync(timeout.Token);
            return (python.ExitCode, await output + await errors);
        }
    }
}
