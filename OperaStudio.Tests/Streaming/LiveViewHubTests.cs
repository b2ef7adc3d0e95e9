using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.Streaming;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Streaming;

/// <summary>The live view hub against real Chromium: frames arrive as bytes, input reaches the page, bad input is refused.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class LiveViewHubTests(BrowserServiceFixture service)
{
    private const string ButtonPage = """
        <!doctype html><title>Input page</title>
        <style>body{margin:0;font:16px sans-serif} #b{position:absolute;left:100px;top:80px;width:200px;height:60px}
        #t{position:absolute;left:100px;top:200px;width:300px;height:30px} .tall{height:3000px}</style>
        <button id="b" onclick="this.textContent='pressed ' + (++window.clicks)">press me</button>
        <input id="t" autocomplete="off">
        <div class="tall"></div>
        <script>window.clicks = 0;</script>
        """;

    [Fact]
    public async Task Join_StaticPage_SendsAJpegFrameAtOnce()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/static", "<!doctype html><title>static</title><h1>still</h1>"));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);

        var frame = await viewer.NextFrameAsync();

        Assert.Equal(session.ActiveTabId, frame.TabId);
        Assert.True(frame.Data is [0xFF, 0xD8, ..], "frame is not JPEG bytes");
        Assert.Equal(1280, frame.Width);
        Assert.Equal(720, frame.Height);
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task Pointer_ClickOnButton_PressesItInTheRemotePage()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/click", ButtonPage));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        await viewer.NextFrameAsync();

        await viewer.ClickAsync(200, 110);

        await WaitForPageAsync(session.Id, "document.getElementById('b').textContent", "pressed 1");
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task Keyboard_TypingIntoAFocusedInput_FillsIt()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/type", ButtonPage));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        await viewer.ClickAsync(250, 215);

        foreach (var key in "Hi 5")
        {
            await viewer.KeyAsync(key.ToString());
        }

        await viewer.KeyAsync("ArrowLeft");
        await viewer.KeyAsync("Backspace");
        await WaitForPageAsync(session.Id, "document.getElementById('t').value", "Hi5");
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task Wheel_ScrollsThePage()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/wheel", ButtonPage));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);

        await viewer.Connection.SendAsync("Wheel", 400.0, 400.0, 0.0, 600.0, 0);

        await WaitForPageAsync(session.Id, "String(window.scrollY > 100)", "true");
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task InsertText_PastesIntoTheFocusedInput()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/paste", ButtonPage));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        await viewer.ClickAsync(250, 215);

        await viewer.Connection.InvokeAsync("InsertText", "pasted ✓ text");

        await WaitForPageAsync(session.Id, "document.getElementById('t').value", "pasted ✓ text");
        await CloseAsync(session.Id);
    }

    [Theory]
    [InlineData(double.NaN, 10)]
    [InlineData(-50, 10)]
    [InlineData(10, 99999)]
    public async Task Pointer_BadCoordinates_IsRefusedAndTheSessionKeepsWorking(double x, double y)
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/bad-pointer", ButtonPage));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);

        var error = await Assert.ThrowsAsync<HubException>(() => viewer.Connection.InvokeAsync("Pointer", "down", x, y, "left", 1, 1, 0));
        await viewer.ClickAsync(200, 110);

        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
        await WaitForPageAsync(session.Id, "document.getElementById('b').textContent", "pressed 1");
        await CloseAsync(session.Id);
    }

    [Theory]
    [InlineData("NotAKey")]
    [InlineData("\u0001")]
    [InlineData("")]
    public async Task Key_UnknownKey_IsRefused(string key)
    {
        var session = await CreateSessionAsync();
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);

        var error = await Assert.ThrowsAsync<HubException>(() => viewer.Connection.InvokeAsync("Key", "down", key, "", 0, 0, 0, false));

        Assert.Contains("Unknown key", error.Message, StringComparison.Ordinal);
        Assert.Equal(42L, await viewer.Connection.InvokeAsync<long>("Ping", 42L));
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task InsertText_OversizePayload_IsRefusedWithoutHarm()
    {
        var session = await CreateSessionAsync();
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);

        var error = await Assert.ThrowsAsync<HubException>(() => viewer.Connection.InvokeAsync("InsertText", new string('x', 200_000)));

        Assert.Contains("Pasted text", error.Message, StringComparison.Ordinal);
        Assert.Equal(7L, await viewer.Connection.InvokeAsync<long>("Ping", 7L));
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task Join_UnknownSession_IsRefused()
    {
        var connection = await HubViewer.OpenConnectionAsync(service.BaseAddress);

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<SessionDto>("Join", "no-such-session"));

        Assert.Contains("no live session", error.Message, StringComparison.Ordinal);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Rejoin_AfterDropping_GetsTheCurrentFrameAtOnce()
    {
        var session = await CreateSessionAsync(service.Pages.Page("/hub/rejoin", "<!doctype html><title>rejoin</title><h1>same page</h1>"));
        await using (var first = await HubViewer.JoinAsync(service.BaseAddress, session.Id))
        {
            await first.NextFrameAsync();
        }

        await using var second = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        var frame = await second.NextFrameAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(session.ActiveTabId, frame.TabId);
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task ViewerThatLostItsAcks_StillGetsTheNewestFrameOfAStaticPage()
    {
        // Acks can be lost (the panel's first frames arrive while Join is still being answered). With the window of
        // frames in flight full and a static page sending nothing more, the newest frame must still get through.
        var session = await CreateSessionAsync(service.Pages.Page("/hub/noack-first", "<!doctype html><title>first</title><h1>first</h1>"));
        var frames = Channel.CreateUnbounded<FrameMessage>();
        await using var connection = await HubViewer.OpenConnectionAsync(service.BaseAddress);
        connection.On<FrameMessage>("Frame", frame => frames.Writer.TryWrite(frame)); // never acknowledges
        await connection.InvokeAsync<SessionDto>("Join", session.Id);
        await frames.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        // Fill the window: more changes than frames allowed in flight.
        var page = service.Sessions.Find(session.Id)!.ActiveTab.Page;
        var filling = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            await page.EvaluateAsync($"() => document.body.style.background = '#{i * 3}{i * 3}{i * 3}'");
            await Task.Delay(100);
        }

        await page.EvaluateAsync("() => { document.body.style.background = '#0f0'; document.title = 'last'; }");
        await Task.Delay(300);
        var received = new List<FrameMessage>();
        while (frames.Reader.TryRead(out var early))
        {
            received.Add(early);
        }

        // The page is static now; only the overdue-ack recheck can deliver what waits.
        var fillingTook = filling.Elapsed;
        var latest = await frames.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        // The window (2) holds, except that unacknowledged frames are forgiven every 3 s (the viewer's ack timeout): a
        // loaded machine that takes longer than that to make the changes legitimately lets a window more through.
        var allowed = 2 * (1 + (int)(fillingTook.TotalSeconds / 3));
        Assert.True(received.Count <= allowed, $"{received.Count} frames were in flight without acks (at most {allowed} in {fillingTook.TotalSeconds:0.0} s)");
        Assert.True(latest.Sequence > received.Max(f => f.Sequence), "the frame that waited is newer than those in flight");
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task WindowMadeShorter_FramesStillShowTheWholeViewport()
    {
        // Measured in full runs while Playwright sized the windows: Chromium's headless window now and then kept 87 px of
        // browser chrome inside the size it was given, and the screencast showed a view that much shorter than the
        // page's viewport. The page's size now comes from the metrics override alone; a window made 87 px too short
        // stands in for that case, and the view must be (or become again, when the window is grown) the whole viewport.
        var session = await CreateSessionAsync(service.Pages.Page("/hub/window", "<!doctype html><title>window</title><h1>whole</h1>"));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        await viewer.NextFrameAsync();
        var browserSession = service.Sessions.Find(session.Id)!;
        var tab = browserSession.ActiveTab;

        await browserSession.Lease.Browser.ResizeWindowByAsync(tab.Handle.TargetId, 0, -87);
        var whole = await Eventually.ValueAsync(
            async () =>
            {
                await tab.Page.EvaluateAsync("() => document.body.style.background = document.body.style.background === 'white' ? '#eee' : 'white'");
                return await viewer.NextFrameAsync();
            },
            f => f.ViewportHeight == 720 && f.Height == 720, "frames of the whole 720 px viewport again", TimeSpan.FromSeconds(15));
        Assert.Equal(1280, whole.Width);
        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task PixelRatio_FollowsTheViewer_ClicksLandWhereSent_AndTheRatioCanReturnToOne()
    {
        // Before: the ratio override was sent only when it was not 1 (Playwright sends nothing for an unchanged size),
        // so a page at 2 stayed at 2; and right after a change at 2, a click sent at (60, 110) reached the page at
        // (30, 55), or the page kept its old size (see BrowserSession.ApplyViewportAsync).
        var session = await CreateSessionAsync(service.Pages.Page("/hub/ratio", """
            <!doctype html><title>ratio</title>
            <script>window.presses = []; addEventListener('mousedown', e => presses.push(`${e.clientX},${e.clientY}`), true);</script>
            """));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        var tab = service.Sessions.Find(session.Id)!.ActiveTab;

        foreach (var (width, height, ratio) in new[] { (800, 600, 2.0), (820, 600, 2.0), (820, 600, 1.0), (840, 620, 1.5), (662, 510, 2.0), (700, 510, 2.0), (700, 510, 1.0) })
        {
            await viewer.Connection.InvokeAsync("SetViewport", width, height, ratio);
            var expected = FormattableString.Invariant($"{ratio} {width}x{height}");
            await Eventually.ValueAsync(
                () => tab.Page.EvaluateAsync<string>("() => `${devicePixelRatio} ${innerWidth}x${innerHeight}`"), s => s == expected,
                $"the page at {expected}", TimeSpan.FromSeconds(10));
            await tab.Page.EvaluateAsync("() => window.presses = []");
            await viewer.ClickAsync(60, 110);
            var seen = await Eventually.ValueAsync(
                () => tab.Page.EvaluateAsync<string>("() => presses.join(' ')"), s => s.Length > 0, $"the press at {expected}", TimeSpan.FromSeconds(10));
            Assert.True(seen == "60,110", $"The click at (60, 110) reached the page at ({seen}) at {expected}.");
        }

        await CloseAsync(session.Id);
    }

    [Fact]
    public async Task AClickDuringAStillCapture_LandsWhereSent_AtRatio2_AndTheStillHasTheRatiosPixels()
    {
        // Before: a still (sent when a static page gives the screencast nothing new) was an unclipped capture, for
        // which Chromium zooms the page's view by the ratio; a click meanwhile reached (30, 55), 10 times in 10.
        var session = await CreateSessionAsync(service.Pages.Page("/hub/still", """
            <!doctype html><title>still</title>
            <script>window.presses = []; addEventListener('mousedown', e => presses.push(`${e.clientX},${e.clientY}`), true);</script>
            """));
        var browser = service.Sessions.Find(session.Id)!;
        await browser.SetViewportAsync(800, 600, 2);
        var tab = browser.ActiveTab;
        await Eventually.ValueAsync(() => tab.Page.EvaluateAsync<double>("() => devicePixelRatio"), r => r == 2, "the page at ratio 2", TimeSpan.FromSeconds(10));

        for (var i = 0; i < 5; i++)
        {
            await tab.Page.EvaluateAsync("() => window.presses = []");
            // Clicks for as long as the capture takes, so some arrive while Chromium is taking it.
            var still = tab.CaptureViewAsync(browser.Viewport, quality: 70);
            var clicks = 0;
            do
            {
                foreach (var type in new[] { "mousePressed", "mouseReleased" })
                {
                    await tab.Cdp.SendAsync("Input.dispatchMouseEvent", new() { ["type"] = type, ["x"] = 60, ["y"] = 110, ["button"] = "left", ["clickCount"] = 1 });
                }

                clicks++;
            }
            while (!still.IsCompleted);

            Assert.Equal((1600, 1200), TabScreencast.JpegSize(await still));
            var presses = await tab.Page.EvaluateAsync<string[]>("() => presses");
            Assert.Equal(clicks, presses.Length);
            Assert.All(presses, p => Assert.Equal("60,110", p));
        }

        await CloseAsync(session.Id);
    }

    private async Task<SessionDto> CreateSessionAsync(Uri? url = null)
    {
        using var response = await service.Http.PostAsJsonAsync("/api/sessions", new { url = url?.ToString() });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        if (url is not null)
        {
            await WaitForPageAsync(session.Id, "document.readyState", "complete");
        }

        return session;
    }

    private async Task CloseAsync(string sessionId) => (await service.Http.DeleteAsync($"/api/sessions/{sessionId}")).Dispose();

    private async Task WaitForPageAsync(string sessionId, string expression, string expected)
    {
        var page = service.Sessions.Find(sessionId)!.ActiveTab.Page;
        await Eventually.ValueAsync(
            () => page.EvaluateAsync<string>($"() => {expression}"), value => value == expected, $"{expression} to read '{expected}'", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Click_IsTimedToTheNextFrame_AndFramesANonAckingViewerMisses_AreCountedAsDropped()
    {
        var inputToFrame = new List<double>();
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrowserServiceMetrics.MeterName && instrument.Name is "opera.input_to_frame.duration" or "opera.frames.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (inputToFrame) { inputToFrame.Add(value); } });
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();

        var session = await CreateSessionAsync(service.Pages.Page("/hub/metrics", ButtonPage + """
            <div id="spin" style="position:absolute;left:500px;top:80px;width:40px;height:40px;background:#36c"></div>
            <script>let a = 0; setInterval(() => document.getElementById('spin').style.transform = `rotate(${a += 7}deg)`, 16);</script>
            """));
        await using var viewer = await HubViewer.JoinAsync(service.BaseAddress, session.Id);
        await viewer.NextFrameAsync();
        await viewer.ClickAsync(200, 110);
        await WaitForPageAsync(session.Id, "document.getElementById('b').textContent", "pressed 1");

        // A viewer that never acknowledges: past its window, newer frames replace the one waiting for it.
        await using var stalled = await HubViewer.OpenConnectionAsync(service.BaseAddress);
        stalled.On<FrameMessage>("Frame", _ => { });
        await stalled.InvokeAsync<SessionDto>("Join", session.Id);
        // Both are recorded when a later frame arrives, not when the click returns: wait for them. A frame more than a
        // second after the input is not counted as its answer, which happens on a loaded machine: click again then.
        await Eventually.TrueAsync(
            async () =>
            {
                if (!HasMeasurement())
                {
                    await viewer.ClickAsync(200, 110);
                }

                return Interlocked.Read(ref dropped) > 0 && HasMeasurement();
            },
            "a dropped frame and the click's input-to-frame time to be recorded",
            TimeSpan.FromSeconds(10),
            () => $"dropped {Interlocked.Read(ref dropped)}, input-to-frame measurements {(HasMeasurement() ? "some" : "none")}");
        bool HasMeasurement()
        {
            lock (inputToFrame)
            {
                return inputToFrame.Count > 0;
            }
        }

        lock (inputToFrame)
        {
            Assert.NotEmpty(inputToFrame);
            Assert.All(inputToFrame, ms => Assert.InRange(ms, 0, 1000));
        }

        Assert.True(Interlocked.Read(ref dropped) > 0, "frames replaced before a stalled viewer took them should count as dropped");
        await CloseAsync(session.Id);
    }
}
