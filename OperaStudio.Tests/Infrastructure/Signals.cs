using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>POSIX signals (.NET's Process.Kill only sends SIGKILL) and free loopback ports.</summary>
public static class Signals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool Send(int pid, int signal) => NativeMethods.kill(pid, signal) == 0;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
