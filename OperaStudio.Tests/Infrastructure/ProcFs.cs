using System.Globalization;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// Reads Linux's /proc: each process's parent, name, command line, environment, status, CPU time and proportional
/// set size, and the machine's CPU, memory and load. A process can exit between two reads, so what is gone (or not
/// ours to read) comes back empty rather than throwing. The one place the tests and, linked, the bench parse /proc.
/// </summary>
public static class ProcFs
{
    /// <summary>Clock ticks per second of /proc/[pid]/stat times (USER_HZ, 100 on Linux).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>One live process: its parent, its name (comm) and its command line (arguments joined by spaces).</summary>
    public sealed record Process(int Pid, int ParentPid, string Name, string CommandLine);

    /// <summary>Every live process (zombies left out).</summary>
    public static IReadOnlyList<Process> Processes()
    {
        var list = new List<Process>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } process)
            {
                list.Add(process);
            }
        }

        return list;
    }

    /// <summary>One process, or null when it is gone or a zombie.</summary>
    public static Process? Read(int pid)
    {
        try
        {
            if (Stat(pid) is not { } stat || stat.Fields[0] is "Z" or "X")
            {
                return null;
            }

            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return new Process(pid, int.Parse(stat.Fields[1], CultureInfo.InvariantCulture), stat.Name, commandLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process's environment (<c>NAME=value</c> entries); empty when it is gone or not ours to read.</summary>
    public static IReadOnlyList<string> Environment(int pid) =>
        TryRead(() => File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)) ?? [];

    /// <summary>/proc/[pid]/status as name → value (<c>Seccomp</c>, <c>Uid</c>, <c>NoNewPrivs</c>…); empty when gone.</summary>
    public static IReadOnlyDictionary<string, string> Status(int pid) =>
        TryRead(() => File.ReadLines($"/proc/{pid}/status")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.Ordinal))
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>utime + stime of the process in clock ticks, or null when it is gone.</summary>
    public static long? CpuTicks(int pid)
    {
        // After the name: state(0) ppid(1) … utime(11) stime(12).
        var stat = TryRead(() => Stat(pid));
        return stat is { Fields: var fields }
            ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>PSS in kB (each shared page divided among the processes that map it), or 0 when the process is gone.</summary>
    public static long PssKb(int pid) =>
        TryRead(() => File.ReadLines($"/proc/{pid}/smaps_rollup")
            .Where(line => line.StartsWith("Pss:", StringComparison.Ordinal))
            .Select(line => long.Parse(line["Pss:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .FirstOrDefault());

    /// <summary>The machine's CPU counters from /proc/stat: all ticks and busy (non-idle, non-iowait) ticks, summed over cores.</summary>
    public static (long Total, long Busy) MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Take(8).Sum();
        var idle = values[3] + values[4];
        return (total, total - idle);
    }

    /// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg writes them.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static long MemoryTotalKb() =>
        long.Parse(
            File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);

    public static string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    /// <summary>The name (inside the parentheses, which may hold spaces) and the fields after it.</summary>
    private static (string Name, string[] Fields)? Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        return open < 0 || close < open ? null : (stat[(open + 1)..close], stat[(close + 2)..].Split(' '));
    }

    private static T? TryRead<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }
}
