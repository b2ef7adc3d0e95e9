namespace OperaStudio.AppHost.Hosting;

/// <summary>Finds programs on PATH and in the usual install folders.</summary>
public static class Executables
{
    public static string? Find(string name, params string[] extraFolders)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var folders = path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraFolders)
            .Concat(["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin"]);
        return folders
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
    }
}
