using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OperaStudio.AppHost.Hosting.Postgres;

/// <summary>Where this machine's PostgreSQL server binaries are, and which major version they are.</summary>
public sealed partial record PostgresInstallation(string BinDirectory, int MajorVersion)
{
    public string Postgres => Path.Combine(BinDirectory, "postgres");

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public static PostgresInstallation? Find()
    {
        // Debian and Ubuntu keep each version under /usr/lib/postgresql/<major>/bin; prefer the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: dir, Ok: int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var v), Version: v))
                .Where(x => x.Ok && File.Exists(Path.Combine(x.Dir, "bin", "postgres")) && File.Exists(Path.Combine(x.Dir, "bin", "initdb")))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return new PostgresInstallation(Path.Combine(newest.Dir, "bin"), newest.Version);
            }
        }

        var postgres = Executables.Find("postgres");
        if (postgres is null || !File.Exists(Path.Combine(Path.GetDirectoryName(postgres)!, "initdb")))
        {
            return null;
        }

        var version = ReadMajorVersion(postgres);
        return version is null ? null : new PostgresInstallation(Path.GetDirectoryName(postgres)!, version.Value);
    }

    private static int? ReadMajorVersion(string postgres)
    {
        using var process = Process.Start(new ProcessStartInfo(postgres, "--version") { RedirectStandardOutput = true });
        var output = process?.StandardOutput.ReadToEnd() ?? "";
        process?.WaitForExit();
        var match = VersionPattern().Match(output);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex VersionPattern();
}
