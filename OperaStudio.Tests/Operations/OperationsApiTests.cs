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
        for (var i = 0; i < 100 && Volatile.Read(ref frames) == 0; i++)
        {
            await Task.Delay(100);
        }

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
}
