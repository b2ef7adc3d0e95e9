using System.Runtime.InteropServices;

namespace OperaStudio.AppHost.Hosting.Processes;

/// <summary>Sends POSIX signals. .NET's <c>Process.Kill</c> only sends SIGKILL; servers deserve a graceful stop.</summary>
public static class PosixSignals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool Send(int pid, int signal) => NativeMethods.kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) S ..." — the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X";
        }
        catch (IOException)
        {
            return true;
        }
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
