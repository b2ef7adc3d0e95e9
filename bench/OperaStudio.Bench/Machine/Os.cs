using System.Runtime.InteropServices;

namespace OperaStudio.Bench.Machine;

/// <summary>The dotnet host running this process, so the baseline server uses the same install whatever PATH says.</summary>
public static class Os
{
    public static string DotnetHost { get; } = FindDotnetHost();

    private static string FindDotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var candidate = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
