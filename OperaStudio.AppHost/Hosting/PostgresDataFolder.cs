using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// The folder a native PostgreSQL keeps its data in: where it is, its password, and making it ready to start
/// (initialised on first run, checked against the installed major version, owned by the account that runs it).
/// </summary>
public static partial class PostgresDataFolder
{
    /// <summary>
    /// <c>{dataDirectory}/{name}</c> normally. As root, PostgreSQL runs as an unprivileged account; if that account
    /// cannot reach the folder (a checkout under /root, say), the data goes to a folder it can reach instead.
    /// </summary>
    public static string PathFor(string dataDirectory, string name, ServiceAccount? account)
    {
        var preferred = Path.GetFullPath(Path.Combine(dataDirectory, name));
        if (account is null || ServiceAccount.CanReach(preferred))
        {
            return preferred;
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(preferred)))[..12].ToLowerInvariant();
        return Path.Combine("/var/tmp/opera-studio", key, name);
    }

    /// <summary>The server's password: generated on the first run and kept beside the data (readable by its owner only).</summary>
    public static string LoadOrCreatePassword(string dataDirectory, string name)
    {
        var path = Path.Combine(dataDirectory, $"{name}.password");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(dataDirectory);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        File.WriteAllText(path, password);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }

    /// <summary>Initialises the folder on first use; refuses a folder from another major version or one that is not PostgreSQL's.</summary>
    public static async Task EnsureReadyAsync(
        PostgresBinaries binaries, string folder, string password, ServiceAccount? account, ILogger log, CancellationToken cancellationToken)
    {
        var versionFile = Path.Combine(folder, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var text = (await File.ReadAllTextAsync(versionFile, cancellationToken)).Trim();
            if (!int.TryParse(text, CultureInfo.InvariantCulture, out var version) || version != binaries.MajorVersion)
            {
                throw new DistributedApplicationException(
                    $"The PostgreSQL data folder {folder} was made by PostgreSQL {text}, but this machine has PostgreSQL {binaries.MajorVersion}. " +
                    "Move that folder away (or upgrade it with pg_upgrade) and start again.");
            }

            RemoveStaleLock(folder, log);
            if (account is not null)
            {
                await account.TakeOwnershipAsync(folder, cancellationToken);
            }

            return;
        }

        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new DistributedApplicationException($"{folder} is not empty and is not a PostgreSQL data folder. Move it away and start again.");
        }

        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"opera-pg-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            if (account is not null)
            {
                await account.TakeOwnershipAsync(folder, cancellationToken);
                await account.TakeOwnershipAsync(passwordFile, cancellationToken);
            }

            LogInitialising(log, binaries.MajorVersion, folder);
            string[] initdbArgs =
            [
                "-D", folder, "-U", NativePostgresServerResource.UserName, "--pwfile", passwordFile,
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-locale",
            ];
            var (command, prefix) = account?.Wrap(binaries.InitDb) ?? (binaries.InitDb, []);
            var (exitCode, output) = await RunAsync(command, [.. prefix, .. initdbArgs], cancellationToken);
            if (exitCode != 0)
            {
                throw new DistributedApplicationException($"initdb failed with exit code {exitCode} for {folder}: {output.Trim()}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>A server killed outright leaves postmaster.pid behind; remove it when no PostgreSQL holds that pid any more.</summary>
    private static void RemoveStaleLock(string folder, ILogger log)
    {
        var lockFile = Path.Combine(folder, "postmaster.pid");
        if (!File.Exists(lockFile))
        {
            return;
        }

        var firstLine = File.ReadLines(lockFile).FirstOrDefault();
        if (int.TryParse(firstLine, CultureInfo.InvariantCulture, out var pid) && IsPostgres(pid))
        {
            return; // really running: PostgreSQL will refuse to start and say so
        }

        LogStaleLock(log, lockFile, firstLine);
        File.Delete(lockFile);
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim().StartsWith("postgres", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args)
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not run {command}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Initialising a new PostgreSQL {Version} data folder in {Folder}")]
    private static partial void LogInitialising(ILogger log, int version, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing the stale lock file {LockFile} (pid {Pid} is not running)")]
    private static partial void LogStaleLock(ILogger log, string lockFile, string? pid);
}
