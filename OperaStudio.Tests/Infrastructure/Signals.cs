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

    /// <summary>
    /// Gives Ctrl+C (SIGINT) its default meaning in this process, and so in the processes it starts, when it was ignored.
    /// A test run started in the background by a script (CI, nohup, <c>cmd &amp;</c>) inherits SIGINT as ignored; every
    /// child inherits that too, and .NET then leaves it ignored (measured: the AppHost under test never saw the
    /// test's Ctrl+C in such runs, and passed when the run was started from a terminal). A terminal's Ctrl+C reaches a
    /// program with SIGINT at its default, which is what the tests that press it mean to reproduce.
    /// </summary>
    public static void RestoreDefaultInterrupt()
    {
        var ignored = ProcFs.Status(System.Environment.ProcessId).TryGetValue("SigIgn", out var mask)
            && (ulong.Parse(mask, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << (SigInt - 1))) != 0;
        if (ignored)
        {
            NativeMethods.signal(SigInt, IntPtr.Zero); // SIG_DFL; .NET installs no handler of its own for an ignored SIGINT
        }
    }

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

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr signal(int signum, IntPtr handler);
#pragma warning restore IDE1006, CA1401, SYSLIB1054
    }
}
