extern alias apphost;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>Where the repository is, and fresh scratch folders that the run cleans up.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(apphost::Projects.OperaStudio_AppHost.ProjectPath, ".."));

    public static string ScratchRoot { get; } = Path.Combine(Path.GetTempPath(), "opera-tests");

    public static string NewDirectory(string purpose)
    {
        var path = Path.Combine(ScratchRoot, $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 13)]);
        Directory.CreateDirectory(path);
        // PostgreSQL runs as an unprivileged account when tests run as root; it must reach its folder.
        File.SetUnixFileMode(ScratchRoot, (UnixFileMode)0b111_101_101);
        return path;
    }

    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
