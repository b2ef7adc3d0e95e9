using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Chat;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Web;

/// <summary>
/// Recording through the real UI (issue 12): the panel's record toggle and indicator, the recordings list, and the
/// player — its canvas, timeline markers, event list, speed and "play from here" — against the agent's browser service
/// (whose model is the scripted one) in headless Chromium. Positions are read from the canvas' data attributes and the
/// frames from the service's own <c>/frames</c>; nothing is timed.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class RecordingUiTests : IClassFixture<AgentWebAppFixture>, IDisposable
{
    private readonly AgentWebAppFixture _web;
    private readonly ChromiumFixture _chromium;

    public RecordingUiTests(AgentWebAppFixture web, ChromiumFixture chromium)
    {
        _web = web;
        _chromium = chromium;
        web.Service.Model.Reset();
    }

    private ScriptedModelServer Model => _web.Service.Model;

    private TestPageServer Pages => _web.Service.Pages;

    public void Dispose() => Assert.Equal(0, Model.Unplanned);

    [Fact]
    public async Task RecordToggle_StartsAndStops_AndEveryViewerSeesTheIndicator()
    {
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/recording-ui/toggle", AgentPages.ControlsHtml));
        var bob = await _web.Services.CreateUserAsync("bob");
        using (var shared = await _web.Http.PutAsJsonAsync($"/api/sessions/{panel.SessionId}/members/{bob}", new { role = "viewer" }))
        {
            shared.EnsureSuccessStatusCode();
        }

        var viewer = await _chromium.NewSignedInPageAsync(_web.BaseAddress, 1280, 800, user: bob, password: TestAccounts.Password);
        try
        {
            await viewer.GotoAsync(_web.Url($"/sessions/{panel.SessionId}"));
            await Expect(viewer.GetByTestId("initializing")).ToHaveCountAsync(0);
            var toggle = panel.Page.GetByTestId("record-toggle");
            await Expect(toggle).ToHaveAttributeAsync("data-recording", "false");
            await Expect(panel.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);

            await toggle.ClickAsync();

            await Expect(toggle).ToHaveAttributeAsync("data-recording", "true");
            var indicator = panel.Page.GetByTestId("recording-indicator");
            await Expect(indicator).ToBeVisibleAsync();
            var recordingId = await indicator.GetAttributeAsync("data-recording-id");
            Assert.False(string.IsNullOrEmpty(recordingId));
            await Expect(indicator.GetByTestId("recording-elapsed")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$"));
            // The viewer hears it over the hub: the same recording, and no way to stop it.
            await Expect(viewer.GetByTestId("recording-indicator")).ToHaveAttributeAsync("data-recording-id", recordingId!);
            await Expect(viewer.GetByTestId("record-toggle")).ToBeDisabledAsync();
            await Expect(viewer.GetByTestId("record-toggle")).ToHaveAttributeAsync("data-disabled-reason", new System.Text.RegularExpressions.Regex("Viewers"));
            using (var active = await _web.Http.GetAsync($"/api/sessions/{panel.SessionId}/recording"))
            {
                Assert.Equal(HttpStatusCode.OK, active.StatusCode);
                Assert.Equal(recordingId, (await active.Content.ReadFromJsonAsync<RecordingDto>())!.Id);
            }

            await panel.SaveScreenshotAsync("recording-indicator");

            await toggle.ClickAsync();

            await Expect(toggle).ToHaveAttributeAsync("data-recording", "false");
            await Expect(panel.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);
            await Expect(viewer.GetByTestId("recording-indicator")).ToHaveCountAsync(0);
            await Expect(panel.Page.GetByTestId("recording-snack-link")).ToHaveAttributeAsync("href", $"/recordings/{recordingId}");
            using (var active = await _web.Http.GetAsync($"/api/sessions/{panel.SessionId}/recording"))
            {
                Assert.Equal(HttpStatusCode.NotFound, active.StatusCode);
            }

            var stopped = await _web.Http.GetFromJsonAsync<RecordingDetailDto>($"/api/recordings/{recordingId}");
            Assert.Equal("finished", stopped!.Recording.State);
        }
        finally
        {
            await viewer.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task RecordedSession_WithAClickAnAgentRunAndANavigation_PlaysBack_AndEachMarkerShowsItsFrame()
    {
        var second = Pages.Page("/recording-ui/second", "<!doctype html><title>Second page</title><body style='background:#0a7'><h1>Second page</h1>");
        string recordingId;
        string sessionId;
        await using (var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/recording-ui/controls", AgentPages.ControlsHtml)))
        {
            sessionId = panel.SessionId;
            var chat = new ChatPage(panel);
            var toggle = panel.Page.GetByTestId("record-toggle");
            await toggle.ClickAsync();
            var indicator = panel.Page.GetByTestId("recording-indicator");
            await Expect(indicator).ToBeVisibleAsync();
            recordingId = (await indicator.GetAttributeAsync("data-recording-id"))!;

            // A person clicks "Delete" on the live view.
            var at = (await panel.RemoteAsync(
                "(() => { const r = document.querySelectorAll('button')[1].getBoundingClientRect(); return (r.x + r.width / 2) + ',' + (r.y + r.height / 2); })()"))
                .Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            await panel.ClickRemoteAsync(at[0], at[1]);
            await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "first delete");

            // The agent clicks "Save".
            Model.Plan(Call("click", new { description = "Save button" }), Say("Saved."));
            await chat.SendAsync("Press save");
            await chat.WaitForRunAsync("completed");
            await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "saved");

            // And the person goes to another page.
            await panel.AddressBar.FillAsync(second.ToString());
            await panel.AddressBar.PressAsync("Enter");
            await panel.WaitForRemoteAsync("document.title", "Second page");
            await panel.WaitForColourAsync(600, 400, (0, 0xaa, 0x77), "the second page on the live view");

            await toggle.ClickAsync();
            await Expect(indicator).ToHaveCountAsync(0);
        }

        var detail = (await _web.Http.GetFromJsonAsync<RecordingDetailDto>($"/api/recordings/{recordingId}"))!;
        var duration = detail.Recording.DurationMs;
        var page = await _chromium.NewSignedInPageAsync(_web.BaseAddress, 1400, 900);
        try
        {
            // The list has it; its row opens the player.
            await page.GotoAsync(_web.Url("/recordings"));
            await Expect(page.GetByTestId("recordings-page")).ToHaveAttributeAsync("data-interactive", "true");
            var row = page.Locator($"[data-testid=recording-row][data-recording-id='{recordingId}']");
            await Expect(row).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "recordings-list");
            await row.ClickAsync();
            await Expect(page).ToHaveURLAsync(_web.Url($"/recordings/{recordingId}"));

            var canvas = page.GetByTestId("player-canvas");
            await Expect(page.GetByTestId("player-page")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(canvas).ToHaveAttributeAsync("data-state", "paused");
            await Expect(canvas).ToHaveAttributeAsync("data-frame-ms", new System.Text.RegularExpressions.Regex(@"^\d"));

            // A marker for each kind that happened, titled as the event.
            var markers = page.GetByTestId("player-marker");
            var kinds = await markers.EvaluateAllAsync<string[]>("ms => ms.map(m => m.dataset.kind)");
            Assert.Contains("click", kinds);
            Assert.Contains("step", kinds);
            Assert.Contains("navigation", kinds);
            Assert.Contains(detail.Events, e => e.Kind == "navigation" && (e.Title.Contains("Second page", StringComparison.Ordinal) || e.Detail?.Contains("/recording-ui/second", StringComparison.Ordinal) == true));
            await Expect(page.GetByTestId("player-event")).ToHaveCountAsync(detail.Events.Count);

            // Play, faster: the position moves on; pause stops it.
            await page.GetByTestId("player-speed").SelectOptionAsync("4");
            await Expect(page.Locator("[data-testid=player-page] [data-speed]")).ToHaveAttributeAsync("data-speed", "4");
            var before = await TimeAsync(canvas, "data-time-ms");
            await page.GetByTestId("player-play").ClickAsync();
            await Expect(canvas).ToHaveAttributeAsync("data-state", new System.Text.RegularExpressions.Regex("playing|loading"));
            await PanelPage.WaitForAsync(async () => await TimeAsync(canvas, "data-time-ms") > before + 200, "playback to advance data-time-ms");
            await Expect(page.Locator("[data-testid=player-event][data-current]")).ToHaveCountAsync(1);
            if (await canvas.GetAttributeAsync("data-state") != "paused")
            {
                await page.GetByTestId("player-play").ClickAsync(); // it may have reached the end already
            }

            await Expect(canvas).ToHaveAttributeAsync("data-state", "paused");

            // Each marker: the position becomes its time, the picture the frame at or before it, the list follows.
            var eventTimes = detail.Events.Select(e => e.AtMs).ToList();
            for (var i = 0; i < await markers.CountAsync(); i++)
            {
                var marker = markers.Nth(i);
                var atMs = double.Parse((await marker.GetAttributeAsync("data-at-ms"))!, CultureInfo.InvariantCulture);
                await ClickMarkerAsync(page, marker);
                var expected = Math.Min(atMs, duration);
                await PanelPage.WaitForAsync(async () => await TimeAsync(canvas, "data-time-ms") == expected,
                    $"data-time-ms to be marker {i}'s {expected}", () => canvas.GetAttributeAsync("data-time-ms").GetAwaiter().GetResult() ?? "none");
                var frame = await RecordingFramesReader.FrameAtOrBeforeAsync(_web.Http, recordingId, expected);
                if (frame is { } frameMs)
                {
                    await PanelPage.WaitForAsync(async () => await TimeAsync(canvas, "data-frame-ms") == frameMs,
                        $"data-frame-ms to be {frameMs}, the frame at or before marker {i} ({expected})",
                        () => canvas.GetAttributeAsync("data-frame-ms").GetAwaiter().GetResult() ?? "none");
                }

                var current = page.Locator("[data-testid=player-event][data-current]");
                var currentAt = double.Parse((await current.GetAttributeAsync("data-at-ms"))!, CultureInfo.InvariantCulture);
                Assert.Equal(eventTimes.Where(t => t <= expected).Max(), currentAt);
                Assert.True(await current.EvaluateAsync<bool>("""
                    e => { const l = e.closest('ol').getBoundingClientRect(), r = e.getBoundingClientRect(); return r.top >= l.top - 1 && r.bottom <= l.bottom + 1; }
                    """), $"The current event of marker {i} is scrolled into the list's view.");
            }

            // An entry of the event list jumps there too.
            var last = page.GetByTestId("player-event").Last;
            var lastAt = Math.Min(double.Parse((await last.GetAttributeAsync("data-at-ms"))!, CultureInfo.InvariantCulture), duration);
            await last.ClickAsync();
            await PanelPage.WaitForAsync(async () => await TimeAsync(canvas, "data-time-ms") == lastAt, "the list entry's time");

            // The README's picture: at the agent's click, its step highlighted in the list.
            var step = page.Locator("[data-testid=player-event][data-kind=step][data-actor=agent]").Last;
            await step.ClickAsync();
            await Expect(step).ToHaveAttributeAsync("data-current", "true");
            await PanelPage.WaitForAsync(async () => !double.IsNaN(await TimeAsync(canvas, "data-frame-ms")), "a frame drawn at the step");
            await Screenshots.SaveAsync(page, "player");

            // The session's history: "play from here" opens the player at that moment.
            await page.GotoAsync(_web.Url($"/history/{sessionId}"));
            var play = page.GetByTestId("play-from-here").First;
            await Expect(play).ToBeVisibleAsync();
            var href = (await play.GetAttributeAsync("href"))!;
            Assert.StartsWith($"/recordings/{recordingId}?t=", href, StringComparison.Ordinal);
            var t = double.Parse(href[(href.IndexOf("?t=", StringComparison.Ordinal) + 3)..], CultureInfo.InvariantCulture);
            await play.ClickAsync();
            await Expect(page.GetByTestId("player-page")).ToHaveAttributeAsync("data-interactive", "true");
            await PanelPage.WaitForAsync(async () => await TimeAsync(page.GetByTestId("player-canvas"), "data-time-ms") == Math.Min(t, duration), "the player to start at t");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task SecondUser_NeitherListsNorOpensSomeoneElsesRecording()
    {
        using var created = await _web.Http.PostAsJsonAsync("/api/sessions", new { url = Pages.Page("/recording-ui/private", "<!doctype html><title>Private</title><h1>mine</h1>").ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        try
        {
            using var started = await _web.Http.PostAsync($"/api/sessions/{session.Id}/recording", null);
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            var recording = (await started.Content.ReadFromJsonAsync<RecordingDto>())!;
            using (var stopped = await _web.Http.DeleteAsync($"/api/sessions/{session.Id}/recording"))
            {
                Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            }

            var carol = await _web.Services.CreateUserAsync("carol");
            var page = await _chromium.NewSignedInPageAsync(_web.BaseAddress, 1280, 800, user: carol, password: TestAccounts.Password);
            try
            {
                await page.GotoAsync(_web.Url("/recordings"));
                await Expect(page.GetByTestId("recordings-count")).ToBeVisibleAsync();
                await Expect(page.Locator($"[data-recording-id='{recording.Id}']")).ToHaveCountAsync(0);

                await page.GotoAsync(_web.Url($"/recordings/{recording.Id}"));
                await Expect(page.GetByTestId("player-not-found")).ToBeVisibleAsync();
                await Expect(page.GetByTestId("player-canvas")).ToHaveCountAsync(0);
                Assert.Equal(404, (await page.APIRequest.GetAsync(_web.Url($"/api/recordings/{recording.Id}"))).Status);
                await Screenshots.SaveAsync(page, "player-not-found");

                await page.GotoAsync(_web.Url("/recordings/no-such-recording"));
                await Expect(page.GetByTestId("player-not-found")).ToBeVisibleAsync();
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }
        finally
        {
            await _web.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task StillRecording_PlaysWhatExistsSoFarAndGrows_ThenTheOwnerDeletesItFromTheList()
    {
        const string ticking = """
            <!doctype html><title>Ticking</title><h1 id="n">0</h1>
            <script>let n = 0; setInterval(() => { document.getElementById('n').textContent = ++n; }, 200);</script>
            """;
        using var created = await _web.Http.PostAsJsonAsync("/api/sessions", new { url = Pages.Page("/recording-ui/ticking", ticking).ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = await _chromium.NewSignedInPageAsync(_web.BaseAddress, 1400, 900);
        try
        {
            using var started = await _web.Http.PostAsync($"/api/sessions/{session.Id}/recording", null);
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            var id = (await started.Content.ReadFromJsonAsync<RecordingDto>())!.Id;
            await PanelPage.WaitForAsync(
                async () => (await _web.Http.GetFromJsonAsync<RecordingDetailDto>($"/api/recordings/{id}"))!.Recording.Frames > 1, "frames to be recorded");

            await page.GotoAsync(_web.Url($"/recordings/{id}"));
            await Expect(page.GetByTestId("player-page")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(page.GetByTestId("player-recording-state")).ToHaveTextAsync("recording");
            var canvas = page.GetByTestId("player-canvas");
            await PanelPage.WaitForAsync(async () => !double.IsNaN(await TimeAsync(canvas, "data-frame-ms")), "a frame of what was recorded so far");
            var timeline = page.GetByTestId("player-timeline");
            var before = await TimeAsync(timeline, "data-duration-ms");
            await PanelPage.WaitForAsync(async () => await TimeAsync(timeline, "data-duration-ms") > before, "the player to learn the recording grew");

            using (var stopped = await _web.Http.DeleteAsync($"/api/sessions/{session.Id}/recording"))
            {
                Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
            }

            // The owner deletes it from the list, after saying yes.
            await page.GotoAsync(_web.Url("/recordings"));
            await Expect(page.GetByTestId("recordings-page")).ToHaveAttributeAsync("data-interactive", "true");
            var row = page.Locator("tr", new() { Has = page.Locator($"[data-testid=recording-row][data-recording-id='{id}']") });
            await row.GetByTestId("recording-delete").ClickAsync();
            var dialog = page.Locator(".mud-dialog");
            await Expect(dialog).ToContainTextAsync("Delete this recording?");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(page.Locator($"[data-testid=recording-row][data-recording-id='{id}']")).ToHaveCountAsync(0);
            using var gone = await _web.Http.GetAsync($"/api/recordings/{id}");
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        finally
        {
            await page.Context.CloseAsync();
            await _web.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    private static async Task<double> TimeAsync(ILocator canvas, string attribute) =>
        double.TryParse(await canvas.GetAttributeAsync(attribute), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    /// <summary>
    /// A marker is a few pixels wide and events close in time overlap: one on top is clicked with the mouse, one
    /// under another is focused and pressed with Enter, as a keyboard user would.
    /// </summary>
    private static async Task ClickMarkerAsync(IPage page, ILocator marker)
    {
        await marker.ScrollIntoViewIfNeededAsync();
        var onTop = await marker.EvaluateAsync<bool>("""
            m => { const r = m.getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === m; }
            """);
        if (onTop)
        {
            await marker.ClickAsync();
        }
        else
        {
            await marker.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
        }
    }
}
