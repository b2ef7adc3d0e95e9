using System.Diagnostics;

namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// The unprivileged account a server runs as when the AppHost runs as root (PostgreSQL refuses root). Programs are
/// started through util-linux's <c>setpriv</c>, which execs in place, so the pid DCP watches is the server's own.
/// </summary>
public sealed record ServiceAccount(string Name, int Uid, int Gid)
{
    /// <summary>null when the AppHost is not root (servers then run as the AppHost's own user).</summary>
    public static ServiceAccount? ForServers() => Environment.IsPrivilegedProcess ? Find("postgres", "nobody") : null;

    /// <summary>The command and arguments that run <paramref name="program"/> as this account.</summary>
    public (string Command, string[] Prefix) Wrap(string program) =>
        (NativeBinaries.FindSystemTool("setpriv"), [$"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--", program]);

    /// <summary>Gives this account a file or folder (recursively), as chown -R would.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        using var chown = Process.Start(new ProcessStartInfo(NativeBinaries.FindSystemTool("chown"), ["-R", $"{Uid}:{Gid}", path]))
            ?? throw new InvalidOperationException("Could not run chown.");
        await chown.WaitForExitAsync(cancellationToken);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"Could not give {path} to the account '{Name}' (chown exited with {chown.ExitCode}).");
        }
    }

    /// <summary>True if any account can reach <paramref name="path"/> through every folder above it (o+x on each).</summary>
    public static bool CanReach(string path)
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

    private static ServiceAccount? Find(params string[] candidates)
    {
        var entries = File.Exists("/etc/passwd")
            ? File.ReadAllLines("/etc/passwd").Select(line => line.Split(':')).Where(f => f.Length >= 4).ToDictionary(f => f[0], StringComparer.Ordinal)
            : [];
        foreach (var name in candidates)
        {
            if (entries.TryGetValue(name, out var f) && int.TryParse(f[2], out var uid) && int.TryParse(f[3], out var gid) && uid != 0)
            {
                return new ServiceAccount(name, uid, gid);
            }
        }

        return null;
    }
}
