using System.Diagnostics;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench.Machine;

/// <summary>
/// The processes the bench watches: ours (every process that carries the system's environment marker: DCP and all it
/// started, found that way because DCP detaches from the AppHost), the baseline server's tree (with its driver and
/// Chromium), and the viewer side (this process — which also runs the AppHost — its Playwright driver and the viewer Chromium).
/// </summary>
public sealed class Systems
{
    public const string Ours = "ours";
    public const string Baseline = "baseline";
    public const string Viewer = "viewer";

    /// <summary><c>OPERA_DATA_DIR=…</c> of the running system (see <see cref="Ours.OperaSystem.Marker"/>).</summary>
    public string? OursMarker { get; set; }

    public int? BaselineRoot { get; set; }

    public int BenchPid { get; } = Environment.ProcessId;

    /// <summary>Every live process of the three systems with the system it belongs to.</summary>
    public IReadOnlyList<(string System, ProcInfo Process)> Snapshot()
    {
        var all = Proc.All();
        var ours = OursMarker is { } marker ? Proc.Marked(marker, all) : [];
        var oursPids = ours.Select(p => p.Pid).ToHashSet();
        var baseline = BaselineRoot is { } b ? Proc.Tree(b, all).Where(p => !oursPids.Contains(p.Pid)).ToList() : [];
        var taken = ours.Concat(baseline).Select(p => p.Pid).ToHashSet();
        var viewer = Proc.Tree(BenchPid, all).Where(p => !taken.Contains(p.Pid));
        return [.. ours.Select(p => (Ours, p)), .. baseline.Select(p => (Baseline, p)), .. viewer.Select(p => (Viewer, p))];
    }

    /// <summary>
    /// Processes below the bench (its viewer browser and driver, the baseline) that carry the marker: they would be
    /// counted as ours. Empty when the bench started nothing of its own while the marker was in its environment.
    /// </summary>
    public IReadOnlyList<ProcInfo> MarkedBelowBench()
    {
        if (OursMarker is not { } marker)
        {
            return [];
        }

        var all = Proc.All();
        var ours = Proc.Marked(marker, all).Select(p => p.Pid).ToHashSet();
        return Proc.Tree(BenchPid, all).Where(p => p.Pid != BenchPid && ours.Contains(p.Pid)).ToList();
    }

    /// <summary>Memory now: PSS per (system, role), in MB.</summary>
    public MemorySample Memory()
    {
        var byRole = Snapshot()
            .GroupBy(x => (x.System, x.Process.Role))
            .ToDictionary(g => g.Key, g => g.Sum(x => ProcFs.PssKb(x.Process.Pid)) / 1024.0);
        return new MemorySample(byRole);
    }

    /// <summary>Starts a CPU measurement window; <see cref="CpuWindowStart.Stop"/> ends it.</summary>
    public CpuWindowStart StartCpu() => new(this);
}

public sealed record MemorySample(IReadOnlyDictionary<(string System, string Role), double> MegabytesByRole)
{
    public double Total(string system, Func<string, bool>? role = null) =>
        MegabytesByRole.Where(kv => kv.Key.System == system && (role?.Invoke(kv.Key.Role) ?? true)).Sum(kv => kv.Value);

    /// <summary>The browser-service side of a system: the service (or baseline server), its driver and its Chromium.</summary>
    public double ServiceSide(string system) => Total(system, Roles.IsServiceSide);
}

public sealed class CpuWindowStart
{
    private readonly Systems _systems;
    private readonly Dictionary<int, long> _ticks = [];
    private readonly (long Total, long Busy) _machine;
    private readonly Stopwatch _clock;

    internal CpuWindowStart(Systems systems)
    {
        _systems = systems;
        foreach (var (_, process) in systems.Snapshot())
        {
            if (ProcFs.CpuTicks(process.Pid) is { } ticks)
            {
                _ticks[process.Pid] = ticks;
            }
        }

        _machine = ProcFs.MachineTicks();
        _clock = Stopwatch.StartNew();
    }

    public CpuWindow Stop()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var machine = ProcFs.MachineTicks();
        var byRole = new Dictionary<(string, string), double>();
        foreach (var (system, process) in _systems.Snapshot())
        {
            if (ProcFs.CpuTicks(process.Pid) is not { } ticks)
            {
                continue;
            }

            var used = ticks - _ticks.GetValueOrDefault(process.Pid);
            var key = (system, process.Role);
            byRole[key] = byRole.GetValueOrDefault(key) + used / ProcFs.TicksPerSecond / seconds * 100;
        }

        var cores = Environment.ProcessorCount;
        var machineBusy = (double)(machine.Busy - _machine.Busy) / Math.Max(1, machine.Total - _machine.Total) * 100 * cores;
        return new CpuWindow(seconds, cores, machineBusy, byRole);
    }
}

/// <summary>
/// CPU over a window, in percent of one core (100 = one core fully busy; the machine has <see cref="Cores"/>×100).
/// </summary>
public sealed record CpuWindow(double Seconds, int Cores, double MachinePercent, IReadOnlyDictionary<(string System, string Role), double> PercentByRole)
{
    public double Total(string system, Func<string, bool>? role = null) =>
        PercentByRole.Where(kv => kv.Key.System == system && (role?.Invoke(kv.Key.Role) ?? true)).Sum(kv => kv.Value);

    public double ServiceSide(string system) => Total(system, Roles.IsServiceSide);

    /// <summary>What the machine spent outside the watched trees (the other engineer's builds, the kernel…).</summary>
    public double Outside => Math.Max(0, MachinePercent - PercentByRole.Values.Sum());

    public bool Saturated => MachinePercent >= Cores * 100 * 0.9;

    /// <summary>The biggest consumers, e.g. "Chromium renderers 61%, browser service 22%".</summary>
    public string TopConsumers(int count = 4, string? onlySystem = null) =>
        string.Join(", ", PercentByRole
            .Where(kv => onlySystem is null || kv.Key.System == onlySystem)
            .Select(kv => new KeyValuePair<(string, string), double>(kv.Key, kv.Value))
            .Append(new KeyValuePair<(string, string), double>(("machine", "outside these trees"), Outside))
            .OrderByDescending(kv => kv.Value)
            .Take(count)
            .Select(kv => $"{(onlySystem is null ? kv.Key.Item1 + ": " : "")}{kv.Key.Item2} {kv.Value:0}%"));
}
