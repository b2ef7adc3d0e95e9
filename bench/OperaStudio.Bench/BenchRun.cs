using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.Bench.Baseline;
using OperaStudio.Bench.Machine;
using OperaStudio.Bench.Pages;
using OperaStudio.Bench.Report;
using OperaStudio.Bench.Ours;
using OperaStudio.Bench.Viewers;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench;

/// <summary>
/// One benchmark run: starts the test pages, Opera Studio (its Aspire AppHost, in this process), the baseline server and the viewer browser,
/// measures each figure for both designs in turn, restarts Opera Studio without a warm pool for the cold figures,
/// and writes the report.
/// </summary>
public sealed partial class BenchRun(BenchSettings settings, string repositoryRoot) : IAsyncDisposable
{
#if DEBUG
    public const string BuildConfiguration = "Debug";
#else
    public const string BuildConfiguration = "Release";
#endif

    public const int Width = 1280;
    public const int Height = 720;
    public const int WarmContexts = 2;

    // Named literals: a figure with no samples (a ratio over zero) is Infinity or NaN, and must not lose the report.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _incidents = new();
    private readonly Systems _systems = new();
    private readonly Random _random = new(20261124);
    private readonly string _outDirectory = Path.Combine(repositoryRoot, "bench", "out");
    private TestPages _pages = null!;
    private OperaSystem _ours = null!;
    private BaselineProcess _baseline = null!;
    private ViewerBrowser _viewer = null!;
    private Results _results = null!;
    private string _dataDirectory = "";

    /// <summary>
    /// What follows <see cref="KeptMarker"/> in the report being replaced: measurements taken by hand for an issue (with
    /// their commands), which a new run must not erase.
    /// </summary>
    private static async Task<string> KeptSectionsAsync(string path)
    {
        var old = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
        var at = old.IndexOf(KeptMarker, StringComparison.Ordinal);
        return at < 0 ? "" : "\n" + old[at..];
    }

    private const string KeptMarker = "<!-- kept: sections below are measured by hand and kept by every bench run -->";

    public async Task<int> RunAsync()
    {
        Directory.CreateDirectory(_outDirectory);
        _results = new Results
        {
            Settings = settings,
            Machine = MachineInfo.Read(repositoryRoot),
            Started = DateTimeOffset.Now,
            LoadBefore = ProcFs.LoadAverage(),
        };
        Log($"Opera Studio benchmark, {settings.Mode} mode, {BuildConfiguration} build; load average {_results.LoadBefore}");

        _dataDirectory = Path.Combine("/var/tmp", $"opera-bench-{Guid.NewGuid():N}"[..25]);
        Directory.CreateDirectory(_dataDirectory);
        // PostgreSQL runs as an unprivileged account when the bench runs as root; it must reach its folder.
        File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101);

        var exitCode = 0;
        try
        {
            _pages = new TestPages();
            await _pages.StartAsync();
            Log($"test pages on {_pages.BaseAddress}");

            await StartOursAsync(WarmContexts);
            _baseline = await BaselineProcess.StartAsync();
            _systems.BaselineRoot = _baseline.Pid;
            Log($"baseline server on {_baseline.Address}");
            _viewer = await ViewerBrowser.LaunchAsync();
            _results.ChromiumVersion = _viewer.Version;
            CheckSeparation();
            await CalibrateAsync();

            await Figure("input", "1. input to pixel", MeasureInputToPixelAsync);
            await Figure("fps", "2. frame rate", MeasureFrameRateAsync);
            await Figure("bytes", "5b. bytes per frame", MeasureBytesPerFrameAsync);
            await Figure("agent", "6. agent step", MeasureAgentStepAsync);
            await Figure("mcp", "7. MCP tool call vs actions API (issue 15)", MeasureMcpAsync);
            await Figure("cdp", "8. CDP command through /cdp vs direct (issue 15)", MeasureCdpAsync);
            await Figure("acquire", "3. acquire (warm)", MeasureAcquireWarmAsync);
            await Figure("first", "3. first frame (warm)", MeasureFirstFrameWarmAsync);
            await Figure("resources", "4/5. memory and idle cost", MeasureResourcesAsync);
            await Figure("scaling", "scaling", MeasureScalingAsync);
            await Figure("recording", "recording (issue 12): CPU, busy page", MeasureRecordingCpuAsync);
            await Figure("recording", "recording (issue 12): bytes per minute", MeasureRecordingStorageAsync);
            await Figure("recording", "recording (issue 12): seek", MeasureRecordingSeekAsync);

            if (settings.Runs("cold"))
            {
                Log("restarting Opera Studio without a warm pool (Browsers__WarmContexts=0) for the cold figures");
                await _ours.DisposeAsync();
                _ours = null!;
                await StartOursAsync(0);
                CheckSeparation();
                await Figure("cold", "3. acquire and first frame (cold)", MeasureColdAsync);
            }
        }
        catch (Exception ex)
        {
            _results.Notes.Add($"The run stopped early: {ex.GetType().Name}: {FirstLine(ex.Message)}");
            Log($"run failed: {ex}");
            exitCode = 1;
        }
        finally
        {
            await StopAllAsync();
        }

        _results.Notes.AddRange(_incidents);
        _results.LoadAfter = ProcFs.LoadAverage();
        _results.Duration = _clock.Elapsed;
        var markdown = ReportWriter.Write(_results) + await KeptSectionsAsync(settings.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(settings.OutputPath)!);
        await File.WriteAllTextAsync(settings.OutputPath, markdown);
        await File.WriteAllTextAsync(Path.Combine(_outDirectory, $"results-{settings.Mode}.json"), RawJson());
        Log($"wrote {settings.OutputPath} ({_results.Duration.TotalMinutes:0.0} min; load average {_results.LoadAfter})");
        return exitCode;
    }

    private async Task StartOursAsync(int warmContexts)
    {
        var environment = new Dictionary<string, string>
        {
            ["UrlPolicy__AllowedHosts__0"] = _pages.HostAndPort,
            ["Browsers__BrowserCount"] = "1",
            ["Browsers__WarmContexts"] = warmContexts.ToString(),
            ["Browsers__ViewportWidth"] = Width.ToString(),
            ["Browsers__ViewportHeight"] = Height.ToString(),
            ["Streaming__JpegQuality"] = "70",
            ["Streaming__MaxFramesInFlight"] = "2",
            ["Sessions__MaxSessions"] = "60",
            ["Sessions__IdleTimeoutSeconds"] = "3600",
        };
        var clock = Stopwatch.StartNew();
        _ours = await OperaSystem.StartAsync(_dataDirectory, Path.Combine(_outDirectory, "apphost.log"), environment, warmContexts, incident =>
        {
            _incidents.Enqueue($"Opera Studio: {incident} (see bench/out/apphost.log); figures measured after it include the restart, or failed.");
            Log($"WARNING: {incident}");
        });
        _systems.OursMarker = _ours.Marker;
        if (warmContexts > 0)
        {
            _results.OursSettings = environment;
            _results.OursStartup = clock.Elapsed;
            _results.OursProcesses.AddRange(_systems.Snapshot().Where(x => x.System == Systems.Ours)
                .GroupBy(x => x.Process.Role)
                .Select(g => (g.Key, g.Count(), g.Select(x => x.Process.CommandLine)
                    .OrderBy(c => c.Contains("OperaStudio.BrowserService", StringComparison.Ordinal) ? 0 : 1).First() // the service's `dotnet run`
                    .Replace(repositoryRoot + "/", "", StringComparison.Ordinal)))
                .OrderBy(x => x.Key, StringComparer.Ordinal));
            foreach (var (role, count, command) in _results.OursProcesses.Where(p => !Roles.IsChromium(p.Role)))
            {
                Log($"  ours: {count} × {role}: {(command.Length > 160 ? command[..160] + "…" : command)}");
            }
        }

        Log($"Opera Studio up in {clock.Elapsed.TotalSeconds:0.0} s: web {_ours.Web}, service {_ours.Service} (warm contexts {warmContexts})");
    }

    /// <summary>
    /// The bench's own processes (viewer browser, its driver, the baseline) must not carry the system's marker, or they
    /// would be counted as ours: they start outside the window in which the marker is in the bench's environment.
    /// </summary>
    private void CheckSeparation()
    {
        var wrong = _systems.MarkedBelowBench();
        if (wrong.Count > 0)
        {
            var list = string.Join("; ", wrong.Select(p => $"{p.Pid} {p.Role}"));
            _results.Notes.Add($"Processes of the bench carried the system's environment marker and were counted as ours: {list}.");
            Log($"WARNING: bench processes carry the marker {_ours.Marker}: {list}");
        }
        else
        {
            Log($"checked: none of the bench's own processes carries {_ours.Marker}");
        }
    }

    public async ValueTask DisposeAsync() => await StopAllAsync();

    /// <summary>Stops everything this run started, in reverse order; safe to call twice.</summary>
    private async Task StopAllAsync()
    {
        var viewer = _viewer;
        var baseline = _baseline;
        var ours = _ours;
        var pages = _pages;
        (_viewer, _baseline, _ours, _pages) = (null!, null!, null!, null!);
        foreach (var stop in new Func<ValueTask>[]
        {
            () => viewer?.DisposeAsync() ?? ValueTask.CompletedTask,
            () => baseline?.DisposeAsync() ?? ValueTask.CompletedTask,
            () => ours?.DisposeAsync() ?? ValueTask.CompletedTask,
            () => pages?.DisposeAsync() ?? ValueTask.CompletedTask,
        })
        {
            try
            {
                await stop();
            }
            catch (Exception ex)
            {
                Log($"stopping: {ex.GetType().Name}: {FirstLine(ex.Message)}");
            }
        }

        if (_dataDirectory.Length > 0 && Directory.Exists(_dataDirectory))
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Runs one figure; a failure is written into the report instead of ending the run.</summary>
    private async Task Figure(string key, string name, Func<Task> measure)
    {
        if (!settings.Runs(key))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        Log($"measuring {name} (load average {ProcFs.LoadAverage()})");
        try
        {
            await measure();
            Log($"  {name}: done in {clock.Elapsed.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _results.Notes.Add($"Figure {name} could not be measured: {ex.GetType().Name}: {FirstLine(ex.Message)}");
            Log($"  {name} FAILED: {ex}");
        }
    }

    /// <summary>Opens one panel to learn how much window the app's chrome takes around the canvas.</summary>
    private async Task CalibrateAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Static);
        await PanelViewer.CalibrateAsync(_viewer, _ours.Web, session.Id);
        await _ours.CloseSessionAsync(session.Id);
    }

    /// <summary>Opens the baseline's viewer page on a session and waits for its first frames.</summary>
    private async Task<IPage> OpenBaselineViewerAsync(string sessionId, int width, int height)
    {
        var page = await _viewer.NewPageAsync(width, height);
        await page.GotoAsync(_baseline.ViewerUrl(sessionId, width, height).ToString());
        await page.WaitForFunctionAsync("() => window.__bench.draws > 2", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        return page;
    }

    private Task PauseAsync(int minMs, int maxMs) => Task.Delay(_random.Next(minMs, maxMs));

    private void Log(string message) => Console.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private string RawJson()
    {
        static object? Describe(Stat? s) => s is null ? null : new { s.N, s.Failed, s.P50, s.P95, s.Mean, s.Min, s.Max, s.Samples };
        var r = _results;
        return JsonSerializer.Serialize(new
        {
            r.Settings.Mode,
            r.Started,
            r.Duration,
            r.LoadBefore,
            r.LoadAfter,
            InputOurs = Describe(r.InputOurs),
            InputBaseline = Describe(r.InputBaseline),
            Fps = r.Fps.Select(f => new { f.Width, f.Height, f.Ours, f.Baseline, f.OursDroppedUnseen }),
            AcquireWarmProxy = Describe(r.AcquireWarmProxy),
            AcquireWarmDirect = Describe(r.AcquireWarmDirect),
            AcquireCold = Describe(r.AcquireCold),
            BaselineAcquire = Describe(r.BaselineAcquire),
            BaselineAcquireCold = Describe(r.BaselineAcquireCold),
            FirstFrameWarm = Describe(r.FirstFrameWarm),
            FirstFrameCold = Describe(r.FirstFrameCold),
            BaselineFirstFrame = Describe(r.BaselineFirstFrame),
            BaselineFirstFrameCold = Describe(r.BaselineFirstFrameCold),
            Memory = r.ResourcesOurs.Select(l => new { System = "ours", l.Sessions, ServiceSideMb = l.Memory.ServiceSide(Systems.Ours), CpuPercent = l.Cpu.ServiceSide(Systems.Ours) })
                .Concat(r.ResourcesBaseline.Select(l => new { System = "baseline", l.Sessions, ServiceSideMb = l.Memory.ServiceSide(Systems.Baseline), CpuPercent = l.Cpu.ServiceSide(Systems.Baseline) })),
            Orchestration = r.ResourcesOurs.Select(l => new
            {
                l.Sessions,
                Mb = Roles.Orchestration.ToDictionary(role => role, role => l.Memory.Total(Systems.Ours, x => x == role)),
                CpuPercent = Roles.Orchestration.ToDictionary(role => role, role => l.Cpu.Total(Systems.Ours, x => x == role)),
            }),
            OursStartupSeconds = r.OursStartup.TotalSeconds,
            OursProcesses = r.OursProcesses.Select(p => new { p.Role, p.Count, p.Command }),
            r.BytesOurs,
            r.BytesBaseline,
            AgentStep = Describe(r.AgentStep),
            BaselineStep = Describe(r.BaselineStep),
            ScaleOurs = r.ScaleOurs.Select(s => new { s.Sessions, s.ViewerFps, s.ProtocolFpsMean, s.ProtocolFpsMin, Input = Describe(s.Input), FrameAge = Describe(s.FrameAge), Cpu = s.Cpu.MachinePercent }),
            ScaleBaseline = r.ScaleBaseline.Select(s => new { s.Sessions, s.ViewerFps, s.ProtocolFpsMean, s.ProtocolFpsMin, Input = Describe(s.Input), FrameAge = Describe(s.FrameAge), Cpu = s.Cpu.MachinePercent }),
            r.Notes,
        }, Indented);
    }
}
