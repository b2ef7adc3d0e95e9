using System.Globalization;

namespace OperaStudio.Bench.Machine;

/// <summary>One process as /proc shows it: its parent, command line and what it is (service, driver, renderer…).</summary>
public sealed record ProcInfo(int Pid, int ParentPid, string Name, string CommandLine)
{
    /// <summary>The program's file name (argv[0] without its folder): the services run as native executables now.</summary>
    public string Executable => Path.GetFileName(CommandLine.Split(' ', 2)[0]);

    /// <summary>What this process is, from its command line: the groups the report splits CPU and memory into.</summary>
    public string Role => CommandLine switch
    {
        _ when Name is "node" || CommandLine.Contains("run-driver", StringComparison.Ordinal) => Roles.Driver,
        // `dotnet run --project … --no-build`: how DCP starts a project; the service is its child.
        _ when Executable == "dotnet" && CommandLine.Contains(" run ", StringComparison.Ordinal) => Roles.DotnetRun,
        _ when Executable == "OperaStudio.BrowserService" || CommandLine.Contains("OperaStudio.BrowserService.dll", StringComparison.Ordinal) => Roles.Service,
        _ when Executable == "OperaStudio.Web" || CommandLine.Contains("OperaStudio.Web.dll", StringComparison.Ordinal) => Roles.WebApp,
        _ when Executable.StartsWith("Aspire.Dashboard", StringComparison.Ordinal) || CommandLine.Contains("Aspire.Dashboard.dll", StringComparison.Ordinal) => Roles.Dashboard,
        // DCP's API server, controllers and a monitor-process per resource; and its container-runtime probes (docker --version).
        _ when Executable is "dcp" or "dcpctrl" or "dcpproc" or "docker" or "podman" || CommandLine.Contains("/tools/dcp ", StringComparison.Ordinal) => Roles.Dcp,
        _ when CommandLine.Contains(Baseline.BaselineServer.Command, StringComparison.Ordinal) => Roles.BaselineServer,
        _ when CommandLine.Contains("OperaStudio.Bench", StringComparison.Ordinal) => Roles.Bench,
        _ when CommandLine.Contains("--type=renderer", StringComparison.Ordinal) => Roles.Renderer,
        _ when CommandLine.Contains("--type=gpu-process", StringComparison.Ordinal) => Roles.Gpu,
        _ when CommandLine.Contains("--type=utility", StringComparison.Ordinal) => Roles.Utility,
        _ when CommandLine.Contains("--type=", StringComparison.Ordinal) || Executable == "chrome_crashpad_handler" => Roles.ChromiumOther,
        _ when Name.StartsWith("chrom", StringComparison.Ordinal) || CommandLine.Contains("chromium", StringComparison.Ordinal) => Roles.ChromiumBrowser,
        _ when Name.StartsWith("redis", StringComparison.Ordinal) || Name.StartsWith("postgres", StringComparison.Ordinal) || Name is "setpriv" => Roles.DataStores,
        _ => Roles.Other,
    };

    public bool IsChromium => Roles.IsChromium(Role);
}

public static class Roles
{
    public const string Service = "browser service (.NET)";
    public const string WebApp = "web app (.NET, proxy + Blazor)";
    public const string DotnetRun = "`dotnet run` wrappers (Aspire's project launch)";
    public const string Dcp = "DCP (Aspire's orchestrator)";
    public const string Dashboard = "Aspire dashboard";
    public const string BaselineServer = "baseline server (.NET)";
    public const string Bench = "bench (.NET: the AppHost in-process, hub/WS viewers, test pages)";
    public const string Driver = "Playwright driver (node)";
    public const string Renderer = "Chromium renderers";
    public const string Gpu = "Chromium GPU process";
    public const string Utility = "Chromium utility (network, storage)";
    public const string ChromiumOther = "Chromium other (zygotes, crash handler)";
    public const string ChromiumBrowser = "Chromium browser process";
    public const string DataStores = "Redis + PostgreSQL";
    public const string Other = "other";

    /// <summary>What the AppHost's orchestration runs beside the system itself (the AppHost's own code runs in the bench).</summary>
    public static readonly string[] Orchestration = [Dcp, Dashboard, DotnetRun];

    public static bool IsChromium(string role) => role is Renderer or Gpu or Utility or ChromiumOther or ChromiumBrowser;

    public static bool IsOrchestration(string role) => role is Dcp or Dashboard or DotnetRun;

    /// <summary>A browser service's side: the .NET service (or the baseline server), its Playwright driver and its Chromium.</summary>
    public static bool IsServiceSide(string role) => role is Service or BaselineServer or Driver || IsChromium(role);
}

/// <summary>Reads /proc: the process tree, proportional set size (PSS) and CPU time of processes, and the machine's CPU.</summary>
public static class Proc
{
    /// <summary>Clock ticks per second of /proc/[pid]/stat times (USER_HZ, 100 on Linux).</summary>
    public const double TicksPerSecond = 100.0;

    public static IReadOnlyList<ProcInfo> All()
    {
        var list = new List<ProcInfo>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[0] is "Z" or "X")
                {
                    continue;
                }

                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                list.Add(new ProcInfo(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), stat[(open + 1)..close], commandLine));
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return list;
    }

    /// <summary>The process and everything below it.</summary>
    public static IReadOnlyList<ProcInfo> Tree(int rootPid, IReadOnlyList<ProcInfo>? all = null)
    {
        all ??= All();
        var result = all.Where(p => p.Pid == rootPid).ToList();
        var frontier = new Queue<int>([rootPid]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var child in all.Where(p => p.ParentPid == parent))
            {
                result.Add(child);
                frontier.Enqueue(child.Pid);
            }
        }

        return result;
    }

    /// <summary>
    /// Live processes whose environment holds <paramref name="entry"/> (e.g. <c>OPERA_DATA_DIR=…</c>, which DCP and all it
    /// starts inherit), and everything below them (in case a child was given a clean environment).
    /// </summary>
    public static IReadOnlyList<ProcInfo> Marked(string entry, IReadOnlyList<ProcInfo>? all = null)
    {
        all ??= All();
        var marked = all.Where(p => p.Pid != Environment.ProcessId && HasEnvironment(p.Pid, entry)).ToList();
        var pids = marked.Select(p => p.Pid).ToHashSet();
        var frontier = new Queue<int>(pids);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var child in all.Where(p => p.ParentPid == parent && pids.Add(p.Pid)))
            {
                marked.Add(child);
                frontier.Enqueue(child.Pid);
            }
        }

        return marked;
    }

    private static bool HasEnvironment(int pid, string entry)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains(entry, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>PSS in kB (each shared page divided among the processes that map it), or 0 when the process is gone.</summary>
    public static long PssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    return long.Parse(line["Pss:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>utime + stime of the process in clock ticks, or null when it is gone.</summary>
    public static long? CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state(0) ppid(1) … utime(11) stime(12).
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The machine's CPU counters from /proc/stat: all ticks and busy (non-idle, non-iowait) ticks, summed over cores.</summary>
    public static (long Total, long Busy) MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Take(8).Sum();
        var idle = values[3] + values[4];
        return (total, total - idle);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");
}
