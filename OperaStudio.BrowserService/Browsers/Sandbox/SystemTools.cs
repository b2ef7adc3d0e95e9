using System.Diagnostics;

namespace OperaStudio.BrowserService.Browsers.Sandbox;

/// <summary>The few system programs the sandbox setup runs (setpriv, unshare, useradd, chown), by absolute path.</summary>
internal static class SystemTools
{
    private static readonly string[] Folders = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

    public static string? Find(string name) => Folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs a program to its end; its exit code and what it printed (stdout and stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
