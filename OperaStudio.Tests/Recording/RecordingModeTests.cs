using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary><c>Recording:Mode</c>: Off refuses, Always records every session from its start until it ends.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingModeTests(DataStoresFixture stores, TestPageServer pages)
{
    [Fact]
    public async Task ModeOff_RefusesToRecord()
    {
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("recoff"), pages.HostAndPort, new Dictionary<string, string>
        {
            ["Browsers:WarmContexts"] = "1",
            ["Recording:Mode"] = "Off",
        });
        await using var session = await AgentClient.CreateAsync(host.Http);

        using var response = await host.Http.PostAsync($"/api/sessions/{session.SessionId}/recording", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        Assert.Equal("recording-off", problem!["type"]!.GetValue<string>());
        Assert.Empty((await host.Http.GetFromJsonAsync<RecordingsPageDto>("/api/recordings"))!.Recordings);
    }

    [Fact]
    public async Task ModeAlways_RecordsASessionFromItsStart_AndItsEndFinishesTheRecording()
    {
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("recalways"), pages.HostAndPort, new Dictionary<string, string>
        {
            ["Browsers:WarmContexts"] = "1",
            ["Recording:Mode"] = "Always",
        });
        var session = await AgentClient.CreateAsync(host.Http, pages.Page("/recording/always", "<title>Always</title><h1>Always</h1>"));

        var recording = await Eventually.ValueAsync(
            async () =>
            {
                using var response = await host.Http.GetAsync($"/api/sessions/{session.SessionId}/recording");
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<RecordingDto>() : null;
            },
            r => r is { Frames: > 0 }, "the session recorded from its start, with a frame", TimeSpan.FromSeconds(20));
        Assert.Null(recording!.StartedBy);
        Assert.Equal(session.SessionId, recording.SessionId);

        await session.DisposeAsync();
        var ended = await RecordingClient.DetailWhenAsync(host.Http, recording.Id, d => d.Recording.State == "finished", "the recording finished with its session");
        Assert.True(ended.Recording.Frames > 0 && ended.Recording.EndedAt is not null);
    }
}
