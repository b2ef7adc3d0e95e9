using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Options;

namespace OperaStudio.BrowserService.Browsers.Sandbox;

/// <summary>
/// Decides once, at start, how Chromium runs with its sandbox on (renderers in namespaces under a seccomp filter).
/// Not root: as is. Root: Chromium refuses its sandbox, so a launcher script drops to <see cref="SandboxAccount"/>
/// through setpriv (exec in place: Playwright's pipes and the process id survive) after giving that account the
/// profile folder Playwright just made. When no sandbox can work, Chromium runs with --no-sandbox and this says why,
/// loudly, at start — or, with <see cref="BrowserOptions.RequireSandbox"/>, the start fails saying why.
/// </summary>
public sealed partial class ChromiumSandbox(IOptions<BrowserOptions> options, ILogger<ChromiumSandbox> logger) : IDisposable
{
    private string? _workFolder;

    [SupportedOSPlatform("linux")]
    public async Task<ChromiumLaunch> PrepareAsync(string executable, CancellationToken cancellationToken)
    {
        if (!options.Value.Sandbox)
        {
            return Unsandboxed(executable, "Browsers:Sandbox is false");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            var (mechanism, problem) = await ProbeAsync(executable, account: null, cancellationToken);
            if (mechanism is null)
            {
                return Unsandboxed(executable, problem!);
            }

            LogSandboxOn(mechanism, Environment.UserName);
            return new ChromiumLaunch(executable, SandboxOn: true, DownloadsPath: null);
        }

        var (account, accountProblem) = await SandboxAccount.FindOrCreateAsync(options.Value.SandboxAccount, cancellationToken);
        if (account is null)
        {
            return Unsandboxed(executable, accountProblem!);
        }

        if (SystemTools.Find("setpriv") is not { } setpriv)
        {
            return Unsandboxed(executable, "setpriv (util-linux) is not installed to start Chromium as an unprivileged account");
        }

        var (accountMechanism, sandboxProblem) = await ProbeAsync(executable, account, cancellationToken);
        if (accountMechanism is null)
        {
            return Unsandboxed(executable, sandboxProblem!);
        }

        // Root owns the folder and the launcher (the account must not be able to rewrite what root runs next);
        // the account owns its home and the downloads folder inside.
        // A new folder per pool (several can run in one process: tests), made fresh so no one else prepared it.
        var folder = Directory.CreateTempSubdirectory("opera-studio-chromium-").FullName;
        _workFolder = folder;
        if (!EveryParentTraversable(folder))
        {
            return Unsandboxed(executable, $"the account '{account.Name}' cannot reach {folder} (a folder above it is not searchable by others)");
        }

        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var home = Directory.CreateDirectory(Path.Combine(folder, "home"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var downloads = Directory.CreateDirectory(Path.Combine(folder, "downloads"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        await account.TakeOwnershipAsync(home, cancellationToken);
        await account.TakeOwnershipAsync(downloads, cancellationToken);

        var launcher = Path.Combine(folder, "chromium.sh");
        await File.WriteAllTextAsync(launcher, LauncherScript(account, setpriv, executable, home), cancellationToken);
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LogSandboxOnAsAccount(accountMechanism, account.Name, account.Uid, launcher);
        return new ChromiumLaunch(launcher, SandboxOn: true, downloads);
    }

    public void Dispose()
    {
        try
        {
            if (_workFolder is not null && Directory.Exists(_workFolder))
            {
                Directory.Delete(_workFolder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Chromium still writing while it closes; the temp folder is cleaned with the machine's.
        }
    }

    /// <summary>
    /// Which sandbox Chromium can use as this account (null: the current user): user namespaces (what Debian's
    /// chromium uses), else a setuid chrome-sandbox helper next to the binary; or why none.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static async Task<(string? Mechanism, string? Problem)> ProbeAsync(string executable, SandboxAccount? account, CancellationToken cancellationToken)
    {
        if (SystemTools.Find("unshare") is not { } unshare)
        {
            return SetuidHelper(executable) is { } helper
                ? ($"the setuid helper {helper}", null)
                : (null, "unshare (util-linux) is not installed to check for user namespaces, and there is no setuid chrome-sandbox");
        }

        var (program, arguments) = account is null
            ? (unshare, new[] { "--user", "true" })
            : (SystemTools.Find("setpriv")!, new[] { $"--reuid={account.Uid}", $"--regid={account.Gid}", "--clear-groups", "--", unshare, "--user", "true" });
        var (exitCode, output) = await SystemTools.RunAsync(program, arguments, cancellationToken);
        if (exitCode == 0)
        {
            return ("user namespaces", null);
        }

        return SetuidHelper(executable) is { } setuid
            ? ($"the setuid helper {setuid}", null)
            : (null, $"an unprivileged process cannot create a user namespace here ({output.Trim()}: a container without them, or kernel.unprivileged_userns_clone=0) and there is no setuid chrome-sandbox");
    }

    [SupportedOSPlatform("linux")]
    private static string? SetuidHelper(string executable)
    {
        var folders = new[] { Path.GetDirectoryName(Path.GetFullPath(executable)), "/usr/lib/chromium" };
        return folders.OfType<string>().Select(folder => Path.Combine(folder, "chrome-sandbox"))
            .FirstOrDefault(path => File.Exists(path) && (File.GetUnixFileMode(path) & UnixFileMode.SetUser) != 0);
    }

    [SupportedOSPlatform("linux")]
    private static bool EveryParentTraversable(string path)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(path)).Parent; dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string LauncherScript(SandboxAccount account, string setpriv, string executable, string home)
    {
        var owner = $"{account.Uid}:{account.Gid}";
        return new StringBuilder()
            .AppendLine("#!/bin/sh")
            .AppendLine($"# Written by the Opera Studio browser service: runs Chromium as '{account.Name}' with its sandbox on.")
            .AppendLine("# Playwright makes the profile folder (as root) just before it starts this; the account must own it.")
            .AppendLine("for arg in \"$@\"; do")
            .AppendLine("  case \"$arg\" in")
            .AppendLine($"    --user-data-dir=*) chown -R {owner} -- \"${{arg#--user-data-dir=}}\" || exit 1 ;;")
            .AppendLine("  esac")
            .AppendLine("done")
            .AppendLine("unset XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME XDG_RUNTIME_DIR")
            .AppendLine($"export HOME={Quote(home)}")
            .AppendLine($"exec {Quote(setpriv)} --reuid={account.Uid} --regid={account.Gid} --clear-groups -- {Quote(executable)} \"$@\"")
            .ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private ChromiumLaunch Unsandboxed(string executable, string reason)
    {
        if (options.Value.RequireSandbox)
        {
            throw new InvalidOperationException(
                $"Chromium cannot run with its sandbox here ({reason}), and Browsers:RequireSandbox is true, so it is not started without one.");
        }

        LogSandboxOff(reason);
        return new ChromiumLaunch(executable, SandboxOn: false, DownloadsPath: null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chromium runs with its sandbox on ({Mechanism}), as {Account}")]
    private partial void LogSandboxOn(string mechanism, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chromium runs with its sandbox on ({Mechanism}), as the account {Account} (uid {Uid}) through {Launcher}")]
    private partial void LogSandboxOnAsAccount(string mechanism, string account, int uid, string launcher);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chromium runs WITHOUT its sandbox (--no-sandbox): {Reason}. A renderer exploit on any visited page would run with this service's rights and reach every session.")]
    private partial void LogSandboxOff(string reason);
}

/// <summary>What Playwright is told to start: the program (Chromium, or the launcher that drops root), whether the sandbox is on, where downloads go.</summary>
public sealed record ChromiumLaunch(string ExecutablePath, bool SandboxOn, string? DownloadsPath);
