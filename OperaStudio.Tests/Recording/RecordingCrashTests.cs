using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>A recording survives <c>kill -9</c> of the service: the next start keeps it, as interrupted, up to its last flush.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingCrashTests(DataStoresFixture stores, TestPageServer pages)
{
    [Fact]
    public async Task KilledMidRecording_TheNextStartKeepsItAsInterrupted_WithFramesUpToAboutASecondBeforeTheKill()
    {
        var database = await stores.CreateDatabaseAsync("crash");
        var settings = new Dictionary<string, string> { ["Recording:Path"] = TestPaths.NewDirectory("crash-recordings") };
        var page = pages.Page("/recording/crash", """
            <!doctype html><title>Crash</title><body style="margin:0;font:60px sans-serif"><div id="n">0</div>
            <script>let n = 0; setInterval(() => document.getElementById('n').textContent = ++n, 100);</script>
            """);

        RecordingDto atKill;
        string recordingId;
        List<RecordedFrame> durable;
        await using (var first = await ServiceProcess.StartAsync(stores.RedisConnectionString, database, pages.HostAndPort, settings))
        {
            var session = await AgentClient.CreateAsync(first.Http, page);
            recordingId = (await RecordingClient.StartAsync(first.Http, session.SessionId)).Id;
            atKill = await Eventually.ValueAsync(
                async () => (await first.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!,
                r => r.DurationMs > 3000 && r.Frames > 10, "three seconds of a changing page recorded", TimeSpan.FromSeconds(30));
            // What was on disk just before the kill: frames are served only once flushed.
            (durable, _) = await RecordingClient.AllFramesAsync(first.Http, recordingId);
            await first.KillAsync();
        }

        await using var second = await ServiceProcess.StartAsync(stores.RedisConnectionString, database, pages.HostAndPort, settings);
        var detail = await RecordingClient.DetailWhenAsync(second.Http, recordingId, d => d.Recording.State == "interrupted", "the recording repaired as interrupted");
        var (frames, _) = await RecordingClient.AllFramesAsync(second.Http, recordingId);

        // Nothing that was on disk is lost; what was still queued may be (a flush interval, a second, on a quiet
        // machine: a loaded full run saw the writer 1.8 s behind the wall clock, so that bound is looser here).
        Assert.Equal(detail.Recording.Frames, frames.Count);
        Assert.True(durable.Count > 0 && frames.Count >= durable.Count && frames[^1].AtMs >= durable[^1].AtMs,
            $"{frames.Count} frames kept, {durable.Count} were on disk before the kill");
        Assert.True(frames[^1].AtMs >= atKill.DurationMs - 4000,
            $"last frame at {frames[^1].AtMs} ms; {atKill.DurationMs} ms were recorded before the kill");
        Assert.True(detail.Recording.DurationMs >= atKill.DurationMs - 4000, $"duration {detail.Recording.DurationMs} ms, {atKill.DurationMs} before the kill");
        Assert.All(frames, f => Assert.True(f.Jpeg is [0xFF, 0xD8, .., 0xFF, 0xD9], "a whole JPEG"));
        Assert.Equal(frames.Sum(f => (long)f.Jpeg.Length), detail.Recording.Bytes);
        Assert.NotNull(detail.Recording.EndedAt);
    }
}
