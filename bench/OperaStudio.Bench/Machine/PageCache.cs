using System.Runtime.InteropServices;

namespace OperaStudio.Bench.Machine;

/// <summary>
/// Drops one file's pages from the kernel's page cache (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>), so the next read
/// comes from the disk as it would for a recording nobody has opened for a while; the rest of the machine's cache stays.
/// </summary>
public static class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED on Linux

    /// <summary>False when the kernel refused (the file is written to disk first: dirty pages are not dropped).</summary>
    public static bool Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var fd = (int)handle.DangerousGetHandle();
        return NativeMethods.fdatasync(fd) == 0 && NativeMethods.posix_fadvise(fd, 0, 0, DontNeed) == 0;
    }

    private static class NativeMethods
    {
#pragma warning disable IDE1006, CA1401, SYSLIB1054 // the libc names, kept as libc spells them
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int posix_fadvise(int fd, long offset, long length, int advice);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fdatasync(int fd);
#pragma warning restore IDE1006, CA1401, SYSLIB1054
    }
}
