using OperaStudio.Tests.Infrastructure;

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

/// <summary>The bench's views of the process table (read through the tests' <see cref="ProcFs"/>): trees and marked processes.</summary>
public static class Proc
{
    public static IReadOnlyList<ProcInfo> All() =>
        ProcFs.Processes().Select(p => new ProcInfo(p.Pid, p.ParentPid, p.Name, p.CommandLine)).ToList();

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
        var marked = all.Where(p => p.Pid != Environment.ProcessId && ProcFs.Environment(p.Pid).Contains(entry, StringComparer.Ordinal)).ToList();
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
}
