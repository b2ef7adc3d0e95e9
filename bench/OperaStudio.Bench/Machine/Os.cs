using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OperaStudio.Bench.Machine;

/// <summary>The little the bench needs from the OS: the dotnet host, POSIX signals and free loopback ports.</summary>
public static class Os
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>The dotnet host running this process, so the baseline server uses the same install whatever PATH says.</summary>
    public static string DotnetHost { get; } = FindDotnetHost();

    /// <summary>Sends a POSIX signal (.NET's Process.Kill only sends SIGKILL; servers deserve a graceful stop).</summary>
    public static bool Signal(int pid, int signal) => NativeMethods.kill(pid, signal) == 0;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable IDE1006, CA1401, SYSLIB1054 // the libc name, kept as libc spells it
        internal static extern int kill(int pid, int sig);
#pragma warning restore IDE1006, CA1401, SYSLIB1054
    }
}

/// <summary>
/// Sets environment variables of this process for a while, so that the processes it starts meanwhile (DCP, and so
/// everything DCP starts) inherit them, and restores them. Nothing else of the bench may start a process meanwhile.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = [];

    public EnvironmentScope(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
