using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OperaStudio.Bench.Report;
using OperaStudio.Bench.Viewers;

namespace OperaStudio.Bench;

// Figures 3 and 6: sessions (acquire, first frame, warm and cold) and the agent's step without a model.
public sealed partial class BenchRun
{
    /// <summary>3. POST /api/sessions without a URL, with the pool full before each sample; through the proxy and direct.</summary>
    private async Task MeasureAcquireWarmAsync()
    {
        var proxy = new List<double>();
        var direct = new List<double>();
        for (var i = 0; i < settings.AcquireSamples + 2; i++)
        {
            foreach (var viaService in new[] { false, true })
            {
                await _ours.WaitForWarmAsync(WarmContexts);
                await PauseAsync(300, 500);
                var clock = Stopwatch.StartNew();
                var session = await _ours.CreateSessionAsync(direct: viaService);
                var ms = clock.Elapsed.TotalMilliseconds;
                await _ours.CloseSessionAsync(session.Id);
                if (i >= 2)
                {
                    (viaService ? direct : proxy).Add(ms);
                }
            }
        }

        _results.AcquireWarmProxy = Stat.Of(proxy);
        _results.AcquireWarmDirect = Stat.Of(direct);

        var baseline = new List<double>();
        for (var i = 0; i < settings.AcquireSamples + 2; i++)
        {
            await PauseAsync(200, 400);
            var clock = Stopwatch.StartNew();
            var id = await _baseline.CreateSessionAsync(url: null);
            var ms = clock.Elapsed.TotalMilliseconds;
            await _baseline.CloseSessionAsync(id);
            if (i >= 2)
            {
                baseline.Add(ms);
            }
        }

        _results.BaselineAcquire = Stat.Of(baseline);
        await ReplayAcquirePathAsync();
        Log($"  ours p50 {_results.AcquireWarmProxy.P50:0.0} ms (proxy), {_results.AcquireWarmDirect.P50:0.0} ms (direct); baseline p50 {_results.BaselineAcquire.P50:0} ms");
    }

    /// <summary>
    /// Why a warm acquire costs what it does: the browser calls the service makes after taking a warm context off the
    /// queue (BrowserSession.StartAsync → AddTabAsync: Page.enable, Page.getNavigationHistory, an evaluate for the
    /// title and icon, setViewportSize, bringToFront — one after another), replayed on a fresh page of the viewer's
    /// Chromium (the same binary and Playwright version, its own driver), each timed.
    /// </summary>
    private async Task ReplayAcquirePathAsync()
    {
        var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal)
        {
            ["Page.enable"] = [],
            ["Page.getNavigationHistory"] = [],
            ["evaluate (title, icon)"] = [],
            ["setViewportSize"] = [],
            ["bringToFront"] = [],
            ["all five, in sequence"] = [],
        };
        var page = await _viewer.NewPageAsync(Width, Height);
        try
        {
            await page.GotoAsync(_pages.Static.ToString());
            for (var i = 0; i < settings.AcquireSamples + 2; i++)
            {
                var cdp = await page.Context.NewCDPSessionAsync(page);
                var total = Stopwatch.StartNew();
                var clock = Stopwatch.StartNew();
                await cdp.SendAsync("Page.enable");
                Take("Page.enable");
                await cdp.SendAsync("Page.getNavigationHistory");
                Take("Page.getNavigationHistory");
                await page.EvaluateAsync<string[]>("() => [document.title, location.origin + '/favicon.ico']");
                Take("evaluate (title, icon)");
                await page.SetViewportSizeAsync(Width, Height);
                Take("setViewportSize");
                await page.BringToFrontAsync();
                Take("bringToFront");
                if (i >= 2)
                {
                    steps["all five, in sequence"].Add(total.Elapsed.TotalMilliseconds);
                }

                await cdp.DetachAsync();
                await PauseAsync(100, 200);

                void Take(string step)
                {
                    if (i >= 2)
                    {
                        steps[step].Add(clock.Elapsed.TotalMilliseconds);
                    }

                    clock.Restart();
                }
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        _results.AcquireReplay = steps.ToDictionary(kv => kv.Key, kv => Stat.Of(kv.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// 3. First frame, warm: the app is already open in the viewer (the panel of another session); per sample the
    /// bench creates a session through the web app's origin and moves the app to it as Home does (Blazor.navigateTo),
    /// then waits for the new panel's first drawn frame. Measured from just before the POST to the draw.
    /// </summary>
    private async Task MeasureFirstFrameWarmAsync()
    {
        (_results.FirstFrameWarm, _results.FirstFrameWarmClient, _) = await FirstFramesOursAsync(settings.FirstFrameSamples, warm: true);
        Log($"  ours p50 {_results.FirstFrameWarm.P50:0} ms");
        _results.BaselineFirstFrame = await FirstFramesBaselineAsync(settings.FirstFrameSamples, cold: false);
        Log($"  baseline p50 {_results.BaselineFirstFrame.P50:0} ms");
    }

    /// <summary>3. Cold: Opera Studio restarted with no warm contexts, and the baseline launching a Chromium per session.</summary>
    private async Task MeasureColdAsync()
    {
        (_results.FirstFrameCold, _results.FirstFrameColdClient, _results.AcquireCold) = await FirstFramesOursAsync(settings.ColdSamples, warm: false);
        Log($"  ours acquire p50 {_results.AcquireCold.P50:0} ms, first frame p50 {_results.FirstFrameCold.P50:0} ms");

        var acquire = new List<double>();
        for (var i = 0; i < settings.ColdSamples; i++)
        {
            await PauseAsync(300, 500);
            var clock = Stopwatch.StartNew();
            var id = await _baseline.CreateSessionAsync(url: null, cold: true);
            acquire.Add(clock.Elapsed.TotalMilliseconds);
            await _baseline.CloseSessionAsync(id);
        }

        _results.BaselineAcquireCold = Stat.Of(acquire);
        _results.BaselineFirstFrameCold = await FirstFramesBaselineAsync(settings.ColdSamples, cold: true);
        Log($"  baseline acquire p50 {_results.BaselineAcquireCold.P50:0} ms, first frame p50 {_results.BaselineFirstFrameCold.P50:0} ms");
    }

    private async Task<(Stat FirstFrame, Stat Client, Stat Acquire)> FirstFramesOursAsync(int count, bool warm)
    {
        var holder = await _ours.CreateSessionAsync(_pages.Static);
        var previous = holder.Id;
        var firstFrames = new List<double?>();
        var client = new List<double?>();
        var acquire = new List<double>();
        await using var panel = await PanelViewer.OpenAsync(_viewer, _ours.Web, holder.Id, Width, Height);
        for (var i = 0; i < count + 1; i++)
        {
            if (warm)
            {
                await _ours.WaitForWarmAsync(WarmContexts);
            }

            await PauseAsync(400, 700);
            await panel.Page.EvaluateAsync("() => window.__bench.resetFirst()");
            var t0 = Probe.NowEpochMs();
            var clock = Stopwatch.StartNew();
            var session = await _ours.CreateSessionAsync();
            var acquired = clock.Elapsed.TotalMilliseconds;
            var navigate = Probe.NowEpochMs();
            await panel.Page.EvaluateAsync("id => Blazor.navigateTo('/sessions/' + encodeURIComponent(id))", session.Id);
            double? first;
            try
            {
                first = await Probe.WaitForFirstDrawEpochAsync(panel.Page, TimeSpan.FromSeconds(30));
            }
            catch (Microsoft.Playwright.PlaywrightException)
            {
                first = null;
            }

            await _ours.CloseSessionAsync(previous);
            previous = session.Id;
            if (i == 0 && warm)
            {
                continue; // The first navigation loads the new page's code paths; not a sample.
            }

            firstFrames.Add(first - t0);
            client.Add(first - navigate);
            acquire.Add(acquired);
        }

        await _ours.CloseSessionAsync(previous);
        return (Stat.Of(firstFrames), Stat.Of(client), Stat.Of(acquire));
    }

    /// <summary>The baseline's viewer page is open; per sample a session is created and the page connects to it.</summary>
    private async Task<Stat> FirstFramesBaselineAsync(int count, bool cold)
    {
        var page = await _viewer.NewPageAsync(Width, Height);
        var samples = new List<double?>();
        try
        {
            await page.GotoAsync(_baseline.ViewerUrl(null, Width, Height).ToString());
            for (var i = 0; i < count + 1; i++)
            {
                await page.EvaluateAsync("() => window.disconnectBaseline()");
                await PauseAsync(400, 700);
                await page.EvaluateAsync("() => window.__bench.resetFirstKeepCanvas()");
                var t0 = Probe.NowEpochMs();
                var id = await _baseline.CreateSessionAsync(url: null, cold: cold);
                await page.EvaluateAsync("id => window.connectBaseline(id)", id);
                double? first;
                try
                {
                    first = await Probe.WaitForFirstDrawEpochAsync(page, TimeSpan.FromSeconds(30));
                }
                catch (Microsoft.Playwright.PlaywrightException)
                {
                    first = null;
                }

                await page.EvaluateAsync("() => window.disconnectBaseline()");
                await _baseline.CloseSessionAsync(id);
                if (i > 0)
                {
                    samples.Add(first - t0);
                }
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        return Stat.Of(samples);
    }

    /// <summary>
    /// 6. The actions API without a model (straight to the service): snapshot, find the button's ref, click it; then
    /// type into the search box (timed on its own, not part of the step, which compares with the baseline's).
    /// The baseline's step: a base64 PNG screenshot (what the document's vision model reads), then a click by selector.
    /// </summary>
    private async Task MeasureAgentStepAsync()
    {
        var session = await _ours.CreateSessionAsync(_pages.Agent, direct: true);
        var snapshot = new List<double>();
        var click = new List<double>();
        var step = new List<double>();
        var type = new List<double>();
        for (var i = 0; i < settings.AgentSamples + 3; i++)
        {
            await PauseAsync(50, 150);
            var clock = Stopwatch.StartNew();
            var tree = (await ActAsync(session.Id, "snapshot", null)).GetString()!;
            var snapshotMs = clock.Elapsed.TotalMilliseconds;
            var reference = AddButtonRef().Match(tree) is { Success: true } m
                ? m.Groups[1].Value
                : throw new InvalidOperationException($"The snapshot has no 'Add item' button: {string.Join(" / ", tree.Split('\n').Where(l => l.Contains("Add", StringComparison.Ordinal)))}");
            var before = clock.Elapsed.TotalMilliseconds;
            await ActAsync(session.Id, "click", new { @ref = reference });
            var total = clock.Elapsed.TotalMilliseconds;
            var searchRef = SearchBoxRef().Match(tree) is { Success: true } s
                ? s.Groups[1].Value
                : throw new InvalidOperationException($"The snapshot has no 'Search' box: {string.Join(" / ", tree.Split('\n').Where(l => l.Contains("textbox", StringComparison.Ordinal)))}");
            await PauseAsync(50, 150);
            var typing = Stopwatch.StartNew();
            await ActAsync(session.Id, "type", new { @ref = searchRef, text = $"book {i}" });
            var typeMs = typing.Elapsed.TotalMilliseconds;
            _results.AgentSnapshotChars = tree.Length;
            if (i >= 3)
            {
                snapshot.Add(snapshotMs);
                click.Add(total - before);
                step.Add(total);
                type.Add(typeMs);
            }
        }

        await _ours.CloseSessionAsync(session.Id);
        (_results.AgentSnapshot, _results.AgentClick, _results.AgentStep, _results.AgentType) = (Stat.Of(snapshot), Stat.Of(click), Stat.Of(step), Stat.Of(type));

        var id = await _baseline.CreateSessionAsync(_pages.Agent, Width, Height);
        snapshot.Clear();
        click.Clear();
        step.Clear();
        for (var i = 0; i < settings.AgentSamples + 3; i++)
        {
            await PauseAsync(50, 150);
            var clock = Stopwatch.StartNew();
            using (var shot = await _baseline.Http.PostAsync($"sessions/{id}/screenshot", null))
            {
                shot.EnsureSuccessStatusCode();
                _results.BaselineScreenshotChars = (await shot.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("image").GetString()!.Length;
            }

            var screenshotMs = clock.Elapsed.TotalMilliseconds;
            using (var clicked = await _baseline.Http.PostAsJsonAsync($"sessions/{id}/click", new { selector = "#add" }))
            {
                clicked.EnsureSuccessStatusCode();
            }

            var total = clock.Elapsed.TotalMilliseconds;
            if (i >= 3)
            {
                snapshot.Add(screenshotMs);
                click.Add(total - screenshotMs);
                step.Add(total);
            }
        }

        await _baseline.CloseSessionAsync(id);
        (_results.BaselineScreenshot, _results.BaselineClick, _results.BaselineStep) = (Stat.Of(snapshot), Stat.Of(click), Stat.Of(step));
        Log($"  ours p50: snapshot {_results.AgentSnapshot.P50:0.0} ms, click {_results.AgentClick.P50:0.0} ms, type {_results.AgentType.P50:0.0} ms");
        Log($"  ours step p50 {_results.AgentStep.P50:0.0} ms; baseline p50 {_results.BaselineStep.P50:0.0} ms");
    }

    private async Task<JsonElement> ActAsync(string sessionId, string tool, object? args)
    {
        using var response = await _ours.ServiceHttp.PostAsJsonAsync($"/api/sessions/{sessionId}/actions", new { tool, args });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || !body.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"{tool} failed ({(int)response.StatusCode}): {body}");
        }

        return body.GetProperty("result");
    }

    [GeneratedRegex(@"button ""Add item""[^\n]*?\[ref=([^\]\s]+)\]")]
    private static partial Regex AddButtonRef();

    [GeneratedRegex(@"textbox ""Search[^""]*""[^\n]*?\[ref=([^\]\s]+)\]")]
    private static partial Regex SearchBoxRef();
}
