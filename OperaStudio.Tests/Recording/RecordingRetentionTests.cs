using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Recording;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>Retention: by total size the oldest go first, files and rows; by age, what is too old.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingRetentionTests(RecordingServiceFixture service, DataStoresFixture stores, TestPageServer pages)
{
    [Fact]
    public async Task OverTheTotalSize_TheOldestGoFirst_FilesAndRows()
    {
        var a = await RecordAsync("a");
        var b = await RecordAsync("b");
        var c = await RecordAsync("c");
        var retention = service.Services.GetRequiredService<RecordingRetention>();
        var recorders = service.Services.GetRequiredService<Recorders>();

        // A budget that holds the two newest: the oldest goes, and only it (older recordings of other tests went too).
        var deleted = await retention.SweepAsync(null, b.Bytes + c.Bytes, TestContext.Current.CancellationToken);

        Assert.Contains(a.Id, deleted);
        Assert.DoesNotContain(b.Id, deleted);
        Assert.DoesNotContain(c.Id, deleted);
        Assert.False(Directory.Exists(FrameStore.DirectoryOf(recorders.Root, a.Id)));
        Assert.True(Directory.Exists(FrameStore.DirectoryOf(recorders.Root, b.Id)));
        using (var gone = await service.Http.GetAsync($"/api/recordings/{a.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Equal(c.Id, (await RecordingClient.DetailAsync(service.Http, c.Id)).Recording.Id);

        // By age: an age limit that falls between b's start and c's.
        var limit = DateTimeOffset.UtcNow - c.StartedAt + ((c.StartedAt - b.StartedAt) / 2);
        deleted = await retention.SweepAsync(limit, null, TestContext.Current.CancellationToken);
        Assert.Contains(b.Id, deleted);
        Assert.DoesNotContain(c.Id, deleted);
    }

    [Fact]
    public async Task ATinyConfiguredTotal_DeletesFinishedRecordings_ButNeverOneBeingWritten()
    {
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("retention"), pages.HostAndPort, new Dictionary<string, string>
        {
            ["Browsers:WarmContexts"] = "1",
            ["Recording:MaxTotalMegabytes"] = "0.0001",
            ["Recording:RetentionIntervalSeconds"] = "1",
            ["Recording:FfmpegPath"] = "/nonexistent/ffmpeg",
        });
        await using var session = await AgentClient.CreateAsync(host.Http, pages.Page("/recording/tiny", "<title>Tiny</title>"));
        var recording = await RecordingClient.StartAsync(host.Http, session.SessionId);
        await Eventually.TrueAsync(
            async () => (await host.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.Bytes > 100,
            "a frame, over the limit", TimeSpan.FromSeconds(15));
        // Over the limit, but still recording: kept. (No ffmpeg on this one: video export says what to install.)
        var deleted = await host.Services.GetRequiredService<RecordingRetention>().SweepAsync(null, 1, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(recording.Id, deleted);
        Assert.Equal("recording", (await RecordingClient.DetailAsync(host.Http, recording.Id)).Recording.State);
        using (var export = await host.Http.GetAsync($"/api/recordings/{recording.Id}/export?format=mp4"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, export.StatusCode);
            Assert.Contains("apt-get install -y ffmpeg", await export.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        await RecordingClient.StopAsync(host.Http, session.SessionId);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Http.GetAsync($"/api/recordings/{recording.Id}");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, "the finished recording deleted by retention", TimeSpan.FromSeconds(20));
        Assert.False(Directory.Exists(FrameStore.DirectoryOf(host.Services.GetRequiredService<Recorders>().Root, recording.Id)));
    }

    private async Task<RecordingDto> RecordAsync(string name)
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page($"/recording/retention-{name}", $"<title>{name}</title><h1>{name}</h1>"));
        var recording = await RecordingClient.StartAsync(service.Http, session.SessionId);
        await Eventually.TrueAsync(
            async () => (await service.Http.GetFromJsonAsync<RecordingDto>($"/api/sessions/{session.SessionId}/recording"))!.Frames > 0,
            "a frame", TimeSpan.FromSeconds(15));
        return await RecordingClient.StopAsync(service.Http, session.SessionId);
    }
}
