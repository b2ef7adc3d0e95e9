using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Operations;

/// <summary>The operations snapshot counts what really happens: sessions, viewers, frames, input.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class OperationsApiTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task Snapshot_CountsSessionsViewersFramesAndInput()
    {
        var before = (await service.Http.GetFromJsonAsync<OperationsDto>("/api/operations"))!;
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = service.Pages.Page("/ops/page", "<title>ops</title><h1>ops</h1>").ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var connection = await service.ConnectHubAsync();
        var frames = 0;
        connection.On<object>("Frame", _ =>
        {
            Interlocked.Increment(ref frames);
            _ = connection.SendAsync("Ack");
        });
        await connection.InvokeAsync<SessionDto>("Join", session.Id);
        await connection.InvokeAsync("Pointer", "move", 10.0, 10.0, "none", 0, 0, 0);
        await Eventually.TrueAsync(() => Volatile.Read(ref frames) > 0, "a frame", TimeSpan.FromSeconds(10));

        var during = (await service.Http.GetFromJsonAsync<OperationsDto>("/api/operations"))!;
        await connection.DisposeAsync();
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");

        Assert.True(during.SessionsLive >= 1);
        Assert.True(during.Viewers >= 1);
        Assert.True(during.FramesSent > before.FramesSent, "frames sent should count the viewer's frames");
        Assert.True(during.FrameBytes > before.FrameBytes);
        Assert.True(during.InputEvents > before.InputEvents);
        Assert.True(during.SessionsCreated > before.SessionsCreated);
        Assert.Equal(1, during.BrowsersConnected);
        Assert.Equal("Healthy", during.Health["browsers"]);
    }

    [Fact]
    public async Task Drain_RefusesNewSessionsAndReportsNotReady_SessionsItHoldsGoOn_ResumeTakesSessionsAgain()
    {
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { });
        var held = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        try
        {
            using var drain = await service.Http.PostAsync("/api/operations/drain", null);
            var drained = (await drain.Content.ReadFromJsonAsync<DrainDto>())!;
            using var refused = await service.Http.PostAsJsonAsync("/api/sessions", new { });
            var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            using var health = await service.Http.GetAsync("/health");
            var snapshot = (await service.Http.GetFromJsonAsync<OperationsDto>("/api/operations"))!;
            using var stillThere = await service.Http.GetAsync($"/api/sessions/{held.Id}");

            Assert.True(drained.Draining);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("draining", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("draining", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(snapshot.Draining);
            Assert.Equal(System.Net.HttpStatusCode.OK, stillThere.StatusCode);
        }
        finally
        {
            using var resume = await service.Http.DeleteAsync("/api/operations/drain");
            Assert.False((await resume.Content.ReadFromJsonAsync<DrainDto>())!.Draining);
        }

        using var again = await service.Http.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(System.Net.HttpStatusCode.Created, again.StatusCode);
        await service.Http.DeleteAsync($"/api/sessions/{(await again.Content.ReadFromJsonAsync<SessionDto>())!.Id}");
        await service.Http.DeleteAsync($"/api/sessions/{held.Id}");
    }
}
