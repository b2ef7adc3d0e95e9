namespace OperaStudio.BrowserService.Browsers.Sandbox;

/// <summary>
/// The unprivileged account Chromium runs as when the service runs as root (Chromium refuses its sandbox as root).
/// A dedicated system account, made on first use, so a compromised browser shares its files and processes with
/// nothing else (nobody is shared by other daemons, postgres owns the database).
/// </summary>
public sealed record SandboxAccount(string Name, int Uid, int Gid)
{
    /// <summary>The account, made with useradd when missing; else null and the reason.</summary>
    public static async Task<(SandboxAccount? Account, string? Problem)> FindOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        if (Find(name) is { } existing)
        {
            return (existing, null);
        }

        if (SystemTools.Find("useradd") is not { } useradd)
        {
            return (null, $"the account '{name}' does not exist and useradd is not installed to make it");
        }

        var (exitCode, output) = await SystemTools.RunAsync(
            useradd, ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name], cancellationToken);
        // Another instance may have made it meanwhile (useradd then exits with 9); either way it exists now or not.
        return Find(name) is { } made
            ? (made, null)
            : (null, $"making the account '{name}' failed (useradd exited with {exitCode}: {output.Trim()})");
    }

    /// <summary>Gives this account a folder and everything in it.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await SystemTools.RunAsync(SystemTools.Find("chown") ?? "chown", ["-R", $"{Uid}:{Gid}", "--", path], cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"Could not give {path} to the account '{Name}': {output.Trim()}");
        }
    }

    private static SandboxAccount? Find(string name)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var fields in File.ReadLines("/etc/passwd").Select(line => line.Split(':')))
        {
            if (fields.Length >= 4 && fields[0] == name && int.TryParse(fields[2], out var uid) && int.TryParse(fields[3], out var gid) && uid != 0)
            {
                return new SandboxAccount(name, uid, gid);
            }
        }

        return null;
    }
}
