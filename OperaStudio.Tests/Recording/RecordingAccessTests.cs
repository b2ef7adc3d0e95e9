using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Recording;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>A recording belongs to its session's owner and those it is shared with; anyone else cannot tell it exists.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed class RecordingAccessTests(RecordingServiceFixture service)
{
    [Fact]
    public async Task ASecondUser_CanNeitherListNorOpenNorDelete_AMemberSeesButCannotDelete_TheOwnerDeletes()
    {
        using var alice = TestIdentity.ClientFor(service.BaseAddress, "alice-records");
        using var bob = TestIdentity.ClientFor(service.BaseAddress, "bob-records");
        using var carol = TestIdentity.ClientFor(service.BaseAddress, "carol-records");
        await using var session = await AgentClient.CreateAsync(alice, service.Pages.Page("/recording/mine", "<title>Mine</title>"));
        var recording = await RecordingClient.StartAsync(alice, session.SessionId);
        Assert.Equal("alice-records", recording.Owner);
        Assert.Equal("alice-records", recording.StartedBy);
        await RecordingClient.StopAsync(alice, session.SessionId);

        Assert.Contains((await alice.GetFromJsonAsync<RecordingsPageDto>("/api/recordings"))!.Recordings, r => r.Id == recording.Id);
        var bobs = (await bob.GetFromJsonAsync<RecordingsPageDto>("/api/recordings"))!;
        Assert.DoesNotContain(bobs.Recordings, r => r.Id == recording.Id);
        Assert.Empty((await bob.GetFromJsonAsync<RecordingsPageDto>($"/api/recordings?sessionId={session.SessionId}"))!.Recordings);
        foreach (var path in new[] { "", "/frames", "/steps", "/export?format=json" })
        {
            using var response = await bob.GetAsync($"/api/recordings/{recording.Id}{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var delete = await bob.DeleteAsync($"/api/recordings/{recording.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        using (var start = await bob.PostAsync($"/api/sessions/{session.SessionId}/recording", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        }

        // Shared as a viewer: sees the recording, may neither record nor delete.
        using (var share = await alice.PutAsJsonAsync($"/api/sessions/{session.SessionId}/members/carol-records", new MemberRequest("viewer")))
        {
            share.EnsureSuccessStatusCode();
        }

        Assert.Contains((await carol.GetFromJsonAsync<RecordingsPageDto>("/api/recordings"))!.Recordings, r => r.Id == recording.Id);
        Assert.Equal(recording.Id, (await RecordingClient.DetailAsync(carol, recording.Id)).Recording.Id);
        using (var delete = await carol.DeleteAsync($"/api/recordings/{recording.Id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        }

        using (var start = await carol.PostAsync($"/api/sessions/{session.SessionId}/recording", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        }

        var directory = FrameStore.DirectoryOf(service.Services.GetRequiredService<Recorders>().Root, recording.Id);
        Assert.True(Directory.Exists(directory));
        using (var delete = await alice.DeleteAsync($"/api/recordings/{recording.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False(Directory.Exists(directory));
        using (var gone = await alice.GetAsync($"/api/recordings/{recording.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.DoesNotContain((await carol.GetFromJsonAsync<RecordingsPageDto>("/api/recordings"))!.Recordings, r => r.Id == recording.Id);
    }
}
