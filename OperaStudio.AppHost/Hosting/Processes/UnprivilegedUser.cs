using System.Diagnostics;

namespace OperaStudio.AppHost.Hosting.Processes;

/// <summary>
/// Runs a server as an unprivileged account when the AppHost itself runs as root (PostgreSQL refuses root).
/// Uses util-linux's <c>setpriv</c>, which execs in place, so the pid the AppHost sees is the server's own.
/// </summary>
public sealed record UnprivilegedUser(string Name, int Uid, int Gid)
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>The first of <paramref name="candidates"/> that exists in /etc/passwd.</summary>
    public static UnprivilegedUser? Find(params string[] candidates)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        var entries = File.ReadAllLines("/etc/passwd")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length >= 4)
            .ToDictionary(fields => fields[0], fields => fields, StringComparer.Ordinal);

        foreach (var name in candidates)
        {
            if (entries.TryGetValue(name, out var f)
                && int.TryParse(f[2], out var uid) && int.TryParse(f[3], out var gid) && uid != 0)
            {
                return new UnprivilegedUser(name, uid, gid);
            }
        }

        return null;
    }

    /// <summary>Rewrites a start info so the program runs as this user.</summary>
    public ProcessStartInfo Wrap(ProcessStartInfo startInfo)
    {
        var wrapped = new ProcessStartInfo(Executables.FindSystemTool("setpriv") ?? "setpriv")
        {
            WorkingDirectory = startInfo.WorkingDirectory,
        };
        foreach (var arg in (string[])[$"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--", startInfo.FileName])
        {
            wrapped.ArgumentList.Add(arg);
        }

        foreach (var arg in startInfo.ArgumentList)
        {
            wrapped.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in startInfo.Environment)
        {
            wrapped.Environment[key] = value;
        }

        wrapped.Environment["HOME"] = "/";
        return wrapped;
    }

    /// <summary>Gives this user a folder (recursively), as chown -R would.</summary>
    public async Task TakeOwnershipAsync(string path)
    {
        var chown = Process.Start(new ProcessStartInfo(Executables.FindSystemTool("chown") ?? "chown", ["-R", $"{Uid}:{Gid}", path]) { UseShellExecute = false })
            ?? throw new AppHostException("Could not run chown.");
        await chown.WaitForExitAsync();
        if (chown.ExitCode != 0)
        {
            throw new AppHostException($"Could not give {path} to user {Name} (chown exited with {chown.ExitCode}).");
        }
    }

    /// <summary>
    /// True if any account can reach <paramref name="path"/> through every folder above it (o+x on each).
    /// Conservative: a folder reachable only through group rights counts as unreachable.
    /// </summary>
    public static bool IsReachableByOthers(string path)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(path)).Parent; dir is not null; dir = dir.Parent)
        {
            if (!dir.Exists)
            {
                continue;
            }

            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }
}
