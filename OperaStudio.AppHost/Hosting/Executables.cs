namespace OperaStudio.AppHost.Hosting;

/// <summary>Finds programs.</summary>
public static class Executables
{
    private static readonly string[] SystemFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>A program on PATH (servers such as redis-server: installed means on PATH).</summary>
    public static string? Find(string name) =>
        PathFolders().Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    /// <summary>A base system tool (setsid, setpriv, chown): PATH first, then the standard folders.</summary>
    public static string? FindSystemTool(string name) =>
        PathFolders().Concat(SystemFolders).Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    private static string[] PathFolders() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
}
