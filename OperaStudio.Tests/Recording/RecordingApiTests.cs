using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Recording;

/// <summary>
/// A session recorded over REST: a navigation, a person's click through the live view and an agent run, read back as
/// events on the recording's clock and as frames that show, at each event's time, what the page showed then.
/// </summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingApiTests(RecordingServiceFixture service, ChromiumFixture chromium)
{
    private const string Painter = """
        <!doctype html><title>Painter</title>
        <style>body{margin:0;background:#fff} button{position:absolute;left:100px;width:200px;height:60px}</style>
        <button id="red" style="top:80px" onclick="document.body.style.background='rgb(255,0,0)'">Paint red</button>
        <button id="blue" style="top:200px" onclick="document.body.style.background='rgb(0,0,255)'">Paint blue</button>
        """;

    [Fact]
    public async Task Recording_HoldsNavigationClickAndAgentRun_InOrder_AtTheTimesItsFramesShowThem()
    {
        service.Model.Reset();
        var start = service.Pages.Page("/recording/start", "<!doctype html><title>Start</title><body style='margin:0;background:rgb(0,160,0)'>");
        var painter = service.Pages.Page("/recording/painter", Painter);
        await using var session = await AgentClient.CreateAsync(service.Http, start);

        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        Assert.Equal("recording", recording.State);
        Assert.Equal(recording.Id, (await RecordingClient.StartAsync(service.Http, session.SessionId)).Id);
        Assert.Equal(recording.Id, (await service.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.Id);
        // Recorded with nobody watching: the first frame comes without a viewer.
        await Eventually.TrueAsync(
            async () => (await service.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.Frames > 0,
            "a frame of the start page, with no viewer", TimeSpan.FromSeconds(15));

        var tabId = (await service.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.SessionId}"))!.ActiveTabId;
        using (var navigated = await service.Http.PostAsJsonAsync($"/api/sessions/{session.SessionId}/tabs/{tabId}/navigate", new { url = painter.ToString() }))
        {
            navigated.EnsureSuccessStatusCode();
        }

        // A viewer who joins learns that it is being recorded, and hears when it stops.
        await using var viewer = await HubViewer.ConnectAsync(service.BaseAddress);
        var told = System.Threading.Channels.Channel.CreateUnbounded<RecordingDto?>();
        viewer.Connection.On<string, RecordingDto?>("RecordingChanged", (_, r) => told.Writer.TryWrite(r));
        await viewer.JoinAsync(session.SessionId);
        Assert.Equal(recording.Id, (await told.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))?.Id);
        await viewer.FirstFrame;
        // As a person would, click once the page is seen: the frame a viewer gets on joining can still be the last page's
        // (a full run clicked before the painter's first frame came, and the recording rightly had none of it white).
        await WaitForViewerToShowAsync(viewer, "white");
        await viewer.ClickAsync(200, 110);
        await WaitForViewerToShowAsync(viewer, "red");

        service.Model.Plan(Call("click", new { description = "Paint blue" }), Say("Painted it blue."));
        var run = await session.SendAsync("Paint the page blue.");
        Assert.Equal("completed", (await session.WaitForEndAsync(run.Id)).Run!.State);
        await WaitForViewerToShowAsync(viewer, "blue");

        var stopped = await RecordingClient.StopAsync(service.Http, session.SessionId);
        Assert.Equal("finished", stopped.State);
        Assert.Null(await told.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        using (var none = await service.Http.GetAsync($"/api/sessions/{session.SessionId}/recording"))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        var detail = await RecordingClient.DetailWhenAsync(service.Http, recording.Id,
            d => d.Events.Any(e => e is { Kind: "navigation", Title: "Painter" })
                && d.Events.Any(e => e is { Kind: "click", Actor: "human" })
                && d.Events.Any(e => e is { Kind: "step", Actor: "agent", Outcome: "ok" } && e.Detail!.Contains("Paint blue", StringComparison.Ordinal)),
            "the navigation, the person's click and the agent's step");
        var events = detail.Events;
        var navigation = events.First(e => e is { Kind: "navigation", Title: "Painter" });
        var click = events.First(e => e is { Kind: "click", Actor: "human" });
        var runStarted = events.First(e => e is { Kind: "step", Title: "agent run started" });
        var step = events.First(e => e is { Kind: "step", Actor: "agent", Outcome: "ok" });
        Assert.NotNull(step.ThumbnailUrl);
        Assert.Contains("Paint red", click.Detail, StringComparison.Ordinal);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.AtMs <= p.Second.AtMs), "events in time order");
        Assert.True(navigation.AtMs < click.AtMs && click.AtMs < runStarted.AtMs && runStarted.AtMs <= step.AtMs,
            string.Join(" | ", events.Select(e => $"{e.AtMs:0}:{e.Kind}:{e.Title}")) + "\n");
        Assert.Contains(events, e => e is { Kind: "chat", Actor: "human" } && e.Detail == "Paint the page blue.");
        Assert.Equal("finished", detail.Recording.State);
        Assert.Equal(stopped.Frames, detail.Recording.Frames);
        Assert.True(detail.Recording.Bytes > 0 && detail.Recording.DurationMs >= step.AtMs);

        // Every frame, through the next header (the service answers a few frames at a time).
        var (frames, requests) = await RecordingClient.AllFramesAsync(service.Http, recording.Id);
        Assert.Equal(detail.Recording.Frames, frames.Count);
        Assert.True(requests > 1, $"{frames.Count} frames in {requests} request(s)");
        Assert.True(frames.Zip(frames.Skip(1)).All(p => p.First.AtMs < p.Second.AtMs), "frames in time order");
        // At the session's viewport (not the thumbnails steps take meanwhile).
        Assert.All(frames, f => Assert.True(f is { Width: 1280, Height: 720, Jpeg: [0xFF, 0xD8, ..] }, $"{f.Width}x{f.Height}"));
        Assert.True(frames[^1].AtMs <= detail.Recording.DurationMs);

        // What the page showed at each moment, as the player would draw it (the frame at or before the moment).
        // At the navigation's moment: the page being left (green), Chromium's blank frame between two pages (a loaded
        // full run saw one), or the page arriving — never what came later.
        Assert.True((await FirstFrameAsync(frames, "green")).AtMs <= navigation.AtMs, "the start page is recorded before the navigation");
        Assert.DoesNotContain(await ColourAtAsync(recording.Id, navigation.AtMs), (string[])["red", "blue"]);
        Assert.Equal("white", await ColourAtAsync(recording.Id, click.AtMs));
        Assert.Equal("red", await ColourAtAsync(recording.Id, runStarted.AtMs));
        var firstBlue = await FirstFrameAsync(frames, "blue");
        Assert.True(firstBlue.AtMs > runStarted.AtMs, $"blue at {firstBlue.AtMs}, the run started at {runStarted.AtMs}");
    }

    [Fact]
    public async Task Frames_FromATime_StartWithTheFrameShowingThen_AndStopAtTo()
    {
        var page = service.Pages.Page("/recording/ticker", """
            <!doctype html><title>Ticker</title><body style="margin:0;font:40px sans-serif"><div id="n">0</div>
            <script>let n = 0; setInterval(() => document.getElementById('n').textContent = ++n, 100);</script>
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, page);
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        await Eventually.TrueAsync(
            async () => (await service.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.Frames >= 12,
            "a dozen frames of a changing page", TimeSpan.FromSeconds(30));
        await RecordingClient.StopAsync(service.Http, session.SessionId);
        var (all, _) = await RecordingClient.AllFramesAsync(service.Http, recording.Id);
        Assert.True(all.Count >= 12, $"{all.Count} frames");

        // Between two frames: the first answered is the earlier one (what the view showed at that time).
        var between = (all[3].AtMs + all[4].AtMs) / 2;
        var (fromBetween, next) = await RecordingClient.FramesPageAsync(service.Http, recording.Id, between, all[6].AtMs);
        Assert.Equal([all[3].AtMs, all[4].AtMs, all[5].AtMs, all[6].AtMs], fromBetween.Select(f => f.AtMs));
        Assert.Null(next);
        Assert.Equal(all[4].Jpeg, fromBetween[1].Jpeg);

        // More than one response holds: the next header names the first frame left out, and asking from it goes on.
        var (first, resume) = await RecordingClient.FramesPageAsync(service.Http, recording.Id, all[1].AtMs);
        Assert.Equal(all.Skip(1).Take(RecordingServiceFixture.FramesPerResponse).Select(f => f.AtMs), first.Select(f => f.AtMs));
        Assert.Equal(all[1 + RecordingServiceFixture.FramesPerResponse].AtMs, resume);
        var (second, _) = await RecordingClient.FramesPageAsync(service.Http, recording.Id, resume);
        Assert.Equal(all[1 + RecordingServiceFixture.FramesPerResponse].AtMs, second[0].AtMs);

        // Before the first frame: the first frame; past the end: the last one alone.
        Assert.Equal(all[0].AtMs, (await RecordingClient.FramesPageAsync(service.Http, recording.Id, 0, 0)).Frames.Single().AtMs);
        Assert.Equal(all[^1].AtMs, (await RecordingClient.FramesPageAsync(service.Http, recording.Id, all[^1].AtMs + 60_000)).Frames.Single().AtMs);
    }

    [Fact]
    public async Task BadInput_IsAnsweredWithProblems()
    {
        await using var session = await AgentClient.CreateAsync(service.Http);
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        await RecordingClient.StopAsync(service.Http, session.SessionId);

        foreach (var path in new[] { "", "/frames", "/steps", "/export?format=json" })
        {
            await AssertProblemAsync(HttpMethod.Get, $"/api/recordings/no-such-recording{path}", HttpStatusCode.NotFound);
        }

        await AssertProblemAsync(HttpMethod.Delete, "/api/recordings/no-such-recording", HttpStatusCode.NotFound);
        await AssertProblemAsync(HttpMethod.Post, "/api/sessions/no-such-session/recording", HttpStatusCode.NotFound);
        await AssertProblemAsync(HttpMethod.Delete, $"/api/sessions/{session.SessionId}/recording", HttpStatusCode.NotFound);
        await AssertProblemAsync(HttpMethod.Get, $"/api/sessions/{session.SessionId}/recording", HttpStatusCode.NotFound);
        foreach (var query in new[] { "from=-1", "from=abc", "to=-5", "from=100&to=50", "from=NaN", "to=Infinity" })
        {
            await AssertProblemAsync(HttpMethod.Get, $"/api/recordings/{recording.Id}/frames?{query}", HttpStatusCode.BadRequest);
        }

        foreach (var format in new[] { "gif", "", "mp3" })
        {
            await AssertProblemAsync(HttpMethod.Get, $"/api/recordings/{recording.Id}/export?format={format}", HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Steps_AreTheApiAndAgentActions_AsWorkflowSteps_NamedByDescription()
    {
        service.Model.Reset();
        var painter = service.Pages.Page("/recording/steps", Painter);
        await using var session = await AgentClient.CreateAsync(service.Http);
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        var tabId = (await service.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.SessionId}"))!.ActiveTabId;
        using (var navigated = await service.Http.PostAsJsonAsync($"/api/sessions/{session.SessionId}/tabs/{tabId}/navigate", new { url = painter.ToString() }))
        {
            navigated.EnsureSuccessStatusCode();
        }

        var snapshot = (await session.ActAsync("snapshot")).GetString()!;
        var blueRef = System.Text.RegularExpressions.Regex.Match(snapshot, @"button ""Paint blue"" \[ref=((f\d+)?e\d+)\]").Groups[1].Value;
        Assert.True(blueRef.Length > 0, snapshot);
        await session.ActAsync("click", new { @ref = blueRef });
        service.Model.Plan(Call("click", new { description = "Paint red" }), Say("Red."));
        var run = await session.SendAsync("Paint it red.");
        await session.WaitForEndAsync(run.Id);
        await RecordingClient.StopAsync(service.Http, session.SessionId);

        var steps = await Eventually.ValueAsync(
            async () => (await service.Http.GetFromJsonAsync<RecordingStepsDto>($"/api/recordings/{recording.Id}/steps"))!,
            s => s.Steps.Count >= 3, "the navigation and both clicks as steps", TimeSpan.FromSeconds(30),
            s => string.Join(" | ", s.Steps.Select(j => j.ToJsonString())));

        var json = steps.Steps.Select(s => s.ToJsonString()).ToList();
        Assert.Equal(recording.Id, steps.RecordingId);
        Assert.Equal($$"""{"action":"navigate","url":"{{painter}}"}""", json[0]);
        // Clicked by ref through the actions API: replayed by the element's description.
        Assert.Equal("""{"action":"click","description":"Paint blue button"}""", json[1]);
        Assert.Equal("""{"action":"click","description":"Paint red"}""", json[2]);
        Assert.DoesNotContain(json, s => s.Contains("snapshot", StringComparison.Ordinal));
    }

    private async Task AssertProblemAsync(HttpMethod method, string path, HttpStatusCode expected)
    {
        using var response = await service.Http.SendAsync(new HttpRequestMessage(method, path));
        Assert.True(expected == response.StatusCode, $"{method} {path}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string> ColourAtAsync(string recordingId, double atMs)
    {
        var (frames, _) = await RecordingClient.FramesPageAsync(service.Http, recordingId, atMs, atMs);
        return FramePixels.Name(await FramePixels.AtAsync(chromium, frames.Single().Jpeg, 600, 400));
    }

    private async Task<RecordedFrame> FirstFrameAsync(IEnumerable<RecordedFrame> frames, string colour)
    {
        foreach (var frame in frames)
        {
            if (FramePixels.Name(await FramePixels.AtAsync(chromium, frame.Jpeg, 600, 400)) == colour)
            {
                return frame;
            }
        }

        throw new Xunit.Sdk.XunitException($"No frame is {colour}.");
    }

    private async Task WaitForViewerToShowAsync(HubViewer viewer, string colour)
    {
        var seen = "";
        await Eventually.TrueAsync(async () =>
        {
            var frame = await viewer.NextFrameAsync();
            seen = FramePixels.Name(await FramePixels.AtAsync(chromium, frame.Data, 600, 400));
            return seen == colour;
        }, $"the live view showing {colour}", TimeSpan.FromSeconds(20), () => seen);
    }
}
