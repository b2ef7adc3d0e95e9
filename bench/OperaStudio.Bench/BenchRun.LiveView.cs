using Microsoft.Playwright;
using OperaStudio.Bench.Baseline;
using OperaStudio.Bench.Machine;
using OperaStudio.Bench.Report;
using OperaStudio.Bench.Viewers;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench;

// Figures 1, 2 and 5b: what a viewer sees of the live view.
public sealed partial class BenchRun
{
    /// <summary>
    /// 1. The flip page, 1280×720. Ours: the real panel (through the web app's origin); the baseline: its viewer page.
    /// Each sample clicks the middle of the page and waits for a drawn frame whose bottom-right corner has the new colour.
    /// </summary>
    private async Task MeasureInputToPixelAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Flip);
        await using (var panel = await PanelViewer.OpenAsync(_viewer, _ours.Web, session.Id, Width, Height))
        {
            var (click, _) = await panel.MapAsync(Width / 2.0, Height / 2.0);
            var (_, probe) = await panel.MapAsync(Width - 30, Height - 30);
            (_results.InputOurs, _results.InputCpuOurs) = await SampleInputAsync(panel.Page, click, probe, settings.InputSamples);
            Log($"  ours: p50 {_results.InputOurs.P50:0} ms, p95 {_results.InputOurs.P95:0} ms (n {_results.InputOurs.N}, missed {_results.InputOurs.Failed})");
        }

        await _ours.CloseSessionAsync(session.Id);

        var id = await _baseline.CreateSessionAsync(_pages.Flip, Width, Height);
        var page = await OpenBaselineViewerAsync(id, Width, Height);
        try
        {
            (_results.InputBaseline, _results.InputCpuBaseline) =
                await SampleInputAsync(page, (Width / 2f, Height / 2f), (Width - 30, Height - 30), settings.InputSamples);
            Log($"  baseline: p50 {_results.InputBaseline.P50:0} ms, p95 {_results.InputBaseline.P95:0} ms (n {_results.InputBaseline.N}, missed {_results.InputBaseline.Failed})");
        }
        finally
        {
            await page.Context.CloseAsync();
            await _baseline.CloseSessionAsync(id);
        }
    }

    private async Task<(Stat Samples, CpuWindow Cpu)> SampleInputAsync(IPage page, (float X, float Y) click, (int X, int Y) probe, int count)
    {
        for (var i = 0; i < 3; i++)
        {
            await Probe.InputToPixelAsync(page, click, probe);
            await PauseAsync(200, 400);
        }

        var cpu = _systems.StartCpu();
        var samples = new List<double?>();
        for (var i = 0; i < count; i++)
        {
            samples.Add(await Probe.InputToPixelAsync(page, click, probe));
            // Random gaps, so presses land at every phase of the frame timing.
            await PauseAsync(250, 600);
        }

        return (Stat.Of(samples), cpu.Stop());
    }

    /// <summary>2. The busy page at 1280×720 and 960×540: frames drawn per second at the viewer.</summary>
    private async Task MeasureFrameRateAsync()
    {
        foreach (var (width, height) in new[] { (1280, 720), (960, 540) })
        {
            var session = await _ours.CreateSessionAsync(_pages.Busy);
            double ours;
            CpuWindow oursCpu;
            long dropped;
            await using (var panel = await PanelViewer.OpenAsync(_viewer, _ours.Web, session.Id, width, height))
            {
                await Task.Delay(2000);
                var (_, _, droppedBefore) = await panel.ModuleCountersAsync();
                var cpu = _systems.StartCpu();
                ours = await Probe.FpsAsync(panel.Page, TimeSpan.FromSeconds(settings.FpsSeconds));
                oursCpu = cpu.Stop();
                dropped = (await panel.ModuleCountersAsync()).Dropped - droppedBefore;
            }

            await _ours.CloseSessionAsync(session.Id);

            var id = await _baseline.CreateSessionAsync(_pages.Busy, width, height);
            double baseline;
            CpuWindow baselineCpu;
            var page = await OpenBaselineViewerAsync(id, width, height);
            try
            {
                await Task.Delay(2000);
                var cpu = _systems.StartCpu();
                baseline = await Probe.FpsAsync(page, TimeSpan.FromSeconds(settings.FpsSeconds));
                baselineCpu = cpu.Stop();
            }
            finally
            {
                await page.Context.CloseAsync();
                await _baseline.CloseSessionAsync(id);
            }

            _results.Fps.Add(new FpsResult(width, height, ours, baseline, oursCpu, baselineCpu, dropped));
            Log($"  {width}×{height}: ours {ours:0.0} fps, baseline {baseline:0.0} fps");
        }
    }

    /// <summary>5b. The busy page at 1280×720 through one protocol-level viewer of each design: bytes per frame.</summary>
    private async Task MeasureBytesPerFrameAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Busy);
        await using (var hub = await HubViewer.JoinAsync(_ours.Web, session.Id))
        {
            await hub.FirstFrame.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(1500);
            var (frames, bytes) = (hub.Frames, hub.Bytes);
            await Task.Delay(TimeSpan.FromSeconds(settings.BytesSeconds));
            _results.BytesOurs = new BytesResult(hub.Frames - frames, hub.Bytes - bytes, hub.Bytes - bytes, settings.BytesSeconds);
        }

        await _ours.CloseSessionAsync(session.Id);

        var id = await _baseline.CreateSessionAsync(_pages.Busy, Width, Height);
        await using (var socket = await BaselineSocketViewer.ConnectAsync(_baseline.Address, id))
        {
            await socket.FirstFrame.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(1500);
            var (frames, bytes, jpeg) = (socket.Frames, socket.Bytes, socket.JpegBytes);
            await Task.Delay(TimeSpan.FromSeconds(settings.BytesSeconds));
            _results.BytesBaseline = new BytesResult(socket.Frames - frames, socket.Bytes - bytes, socket.JpegBytes - jpeg, settings.BytesSeconds);
        }

        await _baseline.CloseSessionAsync(id);
        Log($"  ours {_results.BytesOurs.BytesPerFrame / 1024:0.0} KB/frame at {_results.BytesOurs.Fps:0.0} fps; " +
            $"baseline {_results.BytesBaseline.BytesPerFrame / 1024:0.0} KB/frame at {_results.BytesBaseline.Fps:0.0} fps");
    }
}
