using Microsoft.Playwright;
using OperaStudio.Bench.Baseline;
using OperaStudio.Bench.Machine;
using OperaStudio.Bench.Report;
using OperaStudio.Bench.Viewers;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench;

// Figures 4 and 5a (memory and idle cost at 1, 10, 30 sessions) and the scaling of the busy case (1, 10, 30 viewers).
public sealed partial class BenchRun
{
    /// <summary>
    /// 4 and 5a. N live sessions on the static page, each with a protocol-level viewer attached (through the web
    /// app's origin for ours): PSS of every process, then CPU over a window. Level 0 is the system with no session.
    /// </summary>
    private async Task MeasureResourcesAsync()
    {
        var sessions = new List<string>();
        var viewers = new List<IAsyncDisposable>();
        try
        {
            await _ours.WaitForWarmAsync(WarmContexts);
            _results.ResourcesOurs.Add(await ResourceLevelAsync(0));
            foreach (var level in settings.ResourceLevels)
            {
                while (sessions.Count < level)
                {
                    var session = await _ours.CreateSessionAsync(_pages.Static);
                    sessions.Add(session.Id);
                    var hub = await HubViewer.JoinAsync(_ours.Web, session.Id);
                    viewers.Add(hub);
                    await hub.FirstFrame.WaitAsync(TimeSpan.FromSeconds(30));
                }

                await _ours.WaitForWarmAsync(WarmContexts, TimeSpan.FromSeconds(60));
                _results.ResourcesOurs.Add(await ResourceLevelAsync(level));
                LogResources(_results.ResourcesOurs[^1], Systems.Ours);
            }
        }
        finally
        {
            await DisposeAllAsync(viewers);
            foreach (var id in sessions)
            {
                await _ours.CloseSessionAsync(id);
            }
        }

        sessions.Clear();
        try
        {
            _results.ResourcesBaseline.Add(await ResourceLevelAsync(0));
            foreach (var level in settings.ResourceLevels)
            {
                while (sessions.Count < level)
                {
                    var id = await _baseline.CreateSessionAsync(_pages.Static, Width, Height);
                    sessions.Add(id);
                    var socket = await BaselineSocketViewer.ConnectAsync(_baseline.Address, id);
                    viewers.Add(socket);
                    await socket.FirstFrame.WaitAsync(TimeSpan.FromSeconds(60));
                }

                _results.ResourcesBaseline.Add(await ResourceLevelAsync(level));
                LogResources(_results.ResourcesBaseline[^1], Systems.Baseline);
            }
        }
        finally
        {
            await DisposeAllAsync(viewers);
            foreach (var id in sessions)
            {
                await _baseline.CloseSessionAsync(id);
            }
        }
    }

    private async Task<ResourceLevel> ResourceLevelAsync(int sessions)
    {
        await Task.Delay(3000);
        var memory = _systems.Memory();
        var cpu = _systems.StartCpu();
        await Task.Delay(TimeSpan.FromSeconds(settings.IdleSeconds));
        return new ResourceLevel(sessions, memory, cpu.Stop());
    }

    private void LogResources(ResourceLevel level, string system) =>
        Log($"  {system} at {level.Sessions}: {level.Memory.ServiceSide(system):0} MB PSS, CPU {level.Cpu.ServiceSide(system):0.0}% of a core (machine {level.Cpu.MachinePercent:0}%)");

    /// <summary>
    /// Scaling: N sessions on the busy page. One is watched through the real viewer (the panel, or the baseline's
    /// page): its fps and input to pixel; the other N−1 through protocol-level viewers: their fps. CPU by process.
    /// </summary>
    private async Task MeasureScalingAsync()
    {
        var measured = await _ours.CreateSessionAsync(_pages.Busy);
        var sessions = new List<string>();
        var hubs = new List<HubViewer>();
        var ages = new List<FrameAges>();
        try
        {
            await using var panel = await PanelViewer.OpenAsync(_viewer, _ours.Web, measured.Id, Width, Height);
            var (click, _) = await panel.MapAsync(Width / 2.0, Height / 2.0);
            var (_, probe) = await panel.MapAsync(Width - 30, Height - 30);
            foreach (var level in settings.ScaleLevels)
            {
                while (1 + hubs.Count < level)
                {
                    var session = await _ours.CreateSessionAsync(_pages.Busy);
                    sessions.Add(session.Id);
                    var hub = await HubViewer.JoinAsync(_ours.Web, session.Id);
                    hubs.Add(hub);
                    ages.Add(FrameAges.Of(hub));
                    await hub.FirstFrame.WaitAsync(TimeSpan.FromSeconds(60));
                }

                var result = await ScaleLevelAsync(level, panel.Page, click, probe, () => hubs.Select(h => h.Frames).ToList(), () => ages.SelectMany(a => a.Take()).ToList());
                _results.ScaleOurs.Add(result);
                LogScale(result, "ours");
            }
        }
        finally
        {
            await DisposeAllAsync(hubs);
            foreach (var id in sessions.Append(measured.Id))
            {
                await _ours.CloseSessionAsync(id);
            }
        }

        var baselineMeasured = await _baseline.CreateSessionAsync(_pages.Busy, Width, Height);
        sessions.Clear();
        var sockets = new List<BaselineSocketViewer>();
        IPage? page = null;
        try
        {
            page = await OpenBaselineViewerAsync(baselineMeasured, Width, Height);
            foreach (var level in settings.ScaleLevels)
            {
                while (1 + sockets.Count < level)
                {
                    var id = await _baseline.CreateSessionAsync(_pages.Busy, Width, Height);
                    sessions.Add(id);
                    var socket = await BaselineSocketViewer.ConnectAsync(_baseline.Address, id);
                    sockets.Add(socket);
                    await socket.FirstFrame.WaitAsync(TimeSpan.FromSeconds(60));
                }

                var result = await ScaleLevelAsync(level, page, (Width / 2f, Height / 2f), (Width - 30, Height - 30),
                    () => sockets.Select(s => s.Frames).ToList(), () => sockets.SelectMany(s => s.Ages.Take()).ToList());
                _results.ScaleBaseline.Add(result);
                LogScale(result, "baseline");
            }
        }
        finally
        {
            if (page is not null)
            {
                await page.Context.CloseAsync();
            }

            await DisposeAllAsync(sockets);
            foreach (var id in sessions.Append(baselineMeasured))
            {
                await _baseline.CloseSessionAsync(id);
            }
        }
    }

    private async Task<ScaleLevel> ScaleLevelAsync(
        int level, IPage page, (float X, float Y) click, (int X, int Y) probe, Func<List<long>> protocolFrames, Func<List<double>> frameAges)
    {
        await Task.Delay(3000);
        frameAges();
        var before = protocolFrames();
        var cpu = _systems.StartCpu();
        // The viewer stands for the person using the session: the pointer moves over it throughout, as a hand on a
        // mouse does (ours: that input makes it the interactive session the frame budget serves first).
        using var hovering = new CancellationTokenSource();
        var hover = HoverAsync(page, click, hovering.Token);
        var viewerFps = await Probe.FpsAsync(page, TimeSpan.FromSeconds(settings.ScaleSeconds));
        await hovering.CancelAsync();
        await hover;
        var window = cpu.Stop();
        var after = protocolFrames();
        var ages = frameAges();
        var rates = after.Zip(before, (a, b) => (a - b) / window.Seconds).ToList();
        var input = new List<double?>();
        for (var i = 0; i < settings.ScaleInputSamples; i++)
        {
            input.Add(await Probe.InputToPixelAsync(page, click, probe, timeoutMs: 10_000));
            await PauseAsync(250, 600);
        }

        return new ScaleLevel(level, viewerFps, rates.Count == 0 ? viewerFps : rates.Average(), rates.Count == 0 ? viewerFps : rates.Min(), Stat.Of(input), window, Stat.Of(ages));
    }

    /// <summary>Small pointer moves around <paramref name="around"/> every 400 ms until stopped.</summary>
    private static async Task HoverAsync(IPage page, (float X, float Y) around, CancellationToken stop)
    {
        var step = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                step = (step + 1) % 8;
                await page.Mouse.MoveAsync(around.X + (step * 10) - 40, around.Y + 60);
                await Task.Delay(400, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or PlaywrightException)
        {
            // The window closed.
        }
    }

    private void LogScale(ScaleLevel s, string system) =>
        Log($"  {system} at {s.Sessions}: viewer {s.ViewerFps:0.0} fps, others {s.ProtocolFpsMean:0.0} fps (min {s.ProtocolFpsMin:0.0}), " +
            $"input p50 {s.Input.P50:0} ms, machine CPU {s.Cpu.MachinePercent:0}%");

    private static async Task DisposeAllAsync<T>(List<T> items) where T : IAsyncDisposable
    {
        foreach (var item in items)
        {
            try
            {
                await item.DisposeAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
            {
            }
        }

        items.Clear();
    }
}
