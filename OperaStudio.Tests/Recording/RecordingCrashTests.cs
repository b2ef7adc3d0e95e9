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
        await using (var first = await ServiceProcess.StartAsync(stores.RedisConnectionString, database, pages.HostAndPort, settings))
        {
            var session = await AgentClient.CreateAsync(first.Http, page);
            recordingId = (await RecordingClient.StartAsync(first.Http, session.SessionId)).Id;
            atKill = await Eventually.ValueAsync(
                async () => (await first.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!,
                r => r.DurationMs > 3000 && r.Frames > 10, "three seconds of a changing page recorded", TimeSpan.FromSeconds(30));
            await first.KillAsync();
        }

        await using var second = await ServiceProcess.StartAsync(stores.RedisConnectionString, database, pages.HostAndPort, settings);
        var detail = await RecordingClient.DetailWhenAsync(second.Http, recordingId, d => d.Recording.State == "interrupted", "the recording repaired as interrupted");
        var (frames, _) = await RecordingClient.AllFramesAsync(second.Http, recordingId);

        // The kill came after atKill was read; at most one flush interval (a second) of frames before it may be lost.
        Assert.Equal(detail.Recording.Frames, frames.Count);
        Assert.True(frames.Count > 0 && frames[^1].AtMs >= atKill.DurationMs - 1500,
            $"last frame at {(frames.Count > 0 ? frames[^1].AtMs : -1)} ms; {atKill.DurationMs} ms were recorded before the kill");
        Assert.True(detail.Recording.DurationMs >= atKill.DurationMs - 1500, $"duration {detail.Recording.DurationMs} ms, {atKill.DurationMs} before the kill");
        Assert.All(frames, f => Assert.True(f.Jpeg is [0xFF, 0xD8, .., 0xFF, 0xD9], "a whole JPEG"));
        Assert.Equal(frames.Sum(f => (long)f.Jpeg.Length), detail.Recording.Bytes);
        Assert.NotNull(detail.Recording.EndedAt);
    }
}
