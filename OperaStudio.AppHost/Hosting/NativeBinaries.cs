using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OperaStudio.AppHost.Hosting;

/// <summary>Where this machine's redis-server and PostgreSQL binaries are, and what to install when they are not.</summary>
public static partial class NativeBinaries
{
    public const string RedisInstallHint =
        "Install it (sudo apt-get install -y redis-server), start a container runtime, or set ConnectionStrings__redis=host:port.";

    public const string PostgresInstallHint =
        "Install it (sudo apt-get install -y postgresql), start a container runtime, or set ConnectionStrings__operadb to an existing database.";

    private static readonly string[] SystemFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>redis-server on PATH (installed means on PATH), or null.</summary>
    public static string? FindRedisServer() => FindOnPath("redis-server");

    /// <summary>The newest PostgreSQL server installation: Debian keeps each major version under /usr/lib/postgresql/N/bin.</summary>
    public static PostgresBinaries? FindPostgres()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Bin: Path.Combine(dir, "bin"), Ok: int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var v), Version: v))
                .Where(x => x.Ok && File.Exists(Path.Combine(x.Bin, "postgres")) && File.Exists(Path.Combine(x.Bin, "initdb")))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (newest.Bin is not null)
            {
                return new PostgresBinaries(newest.Bin, newest.Version);
            }
        }

        if (FindOnPath("postgres") is not { } postgres || !File.Exists(Path.Combine(Path.GetDirectoryName(postgres)!, "initdb")))
        {
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo(postgres, "--version") { RedirectStandardOutput = true });
        var match = PostgresVersion().Match(process?.StandardOutput.ReadToEnd() ?? "");
        process?.WaitForExit();
        return match.Success ? new PostgresBinaries(Path.GetDirectoryName(postgres)!, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>A base system tool (setpriv, chown): PATH first, then the standard folders.</summary>
    public static string FindSystemTool(string name) =>
        PathFolders().Concat(SystemFolders).Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists) ?? name;

    private static string? FindOnPath(string name) =>
        PathFolders().Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    private static string[] PathFolders() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex PostgresVersion();
}

/// <summary>One PostgreSQL installation's server programs.</summary>
public sealed record PostgresBinaries(string BinDirectory, int MajorVersion)
{
    public string Postgres => Path.Combine(BinDirectory, "postgres");

    public string InitDb => Path.Combine(BinDirectory, "initdb");
}
