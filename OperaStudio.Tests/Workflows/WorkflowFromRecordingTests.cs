using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Recording;

namespace OperaStudio.Tests.Workflows;

/// <summary>A recording's actions made into a workflow (elements by description), which then runs by itself.</summary>
[Collection(RecordingServiceCollection.Name)]
public sealed partial class WorkflowFromRecordingTests(RecordingServiceFixture service)
{
    private const string Painter = """
        <!doctype html><title>Painter</title>
        <button onclick="document.title='red'">Paint red</button>
        <button onclick="document.title='blue'">Paint blue</button>
        """;

    [Fact]
    public async Task FromRecording_NavigationAndAClickByRef_BecomeARunnableWorkflowByDescription()
    {
        service.Model.Reset();
        using var http = TestIdentity.ClientFor(service.BaseAddress, "recording-author");
        using var other = TestIdentity.ClientFor(service.BaseAddress, "recording-someone-else");
        var painter = service.Pages.Page("/workflow-recording/painter", Painter);
        await using var session = await AgentClient.CreateAsync(http);
        var recording = await RecordingClient.StartAsync(http, session.SessionId);
        var tabId = (await http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.SessionId}"))!.ActiveTabId;
        using (var navigated = await http.PostAsJsonAsync($"/api/sessions/{session.SessionId}/tabs/{tabId}/navigate", new { url = painter.ToString() }))
        {
            navigated.EnsureSuccessStatusCode();
        }

        var snapshot = (await session.ActAsync("snapshot")).GetString()!;
        var blueRef = BlueRef().Match(snapshot).Groups[1].Value;
        Assert.True(blueRef.Length > 0, snapshot);
        await session.ActAsync("click", new { @ref = blueRef });
        await RecordingClient.StopAsync(http, session.SessionId);

        // The recorded steps are written in the background: wait until both are there.
        await Eventually.TrueAsync(
            async () => (await http.GetFromJsonAsync<RecordingStepsDto>($"/api/recordings/{recording.Id}/steps"))!.Steps.Count >= 2,
            "the navigation and the click in the recording", TimeSpan.FromSeconds(30));

        using (var refused = await other.PostAsJsonAsync("/api/workflows/from-recording", new WorkflowFromRecordingRequest(recording.Id, null)))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using var response = await http.PostAsJsonAsync("/api/workflows/from-recording", new WorkflowFromRecordingRequest(recording.Id, "Paint it blue"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var workflow = (await response.Content.ReadFromJsonAsync<WorkflowDto>())!;
        Assert.Equal("Paint it blue", workflow.Definition.Name);
        Assert.Equal(
            [$$"""{"action":"navigate","url":"{{painter}}"}""", """{"action":"click","description":"Paint blue button"}"""],
            workflow.Definition.Steps!.Select(s => JsonNode.Parse(s.GetRawText())!.ToJsonString()));

        using var start = await http.PostAsJsonAsync($"/api/workflows/{workflow.Id}/runs", new WorkflowRunRequest(null));
        var started = (await start.Content.ReadFromJsonAsync<WorkflowRunDto>())!;
        var done = await Eventually.ValueAsync(
            async () => (await http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{started.Id}"))!,
            r => WorkflowRunStatuses.IsFinal(r.Status),
            "the made workflow's run to end",
            TimeSpan.FromMinutes(2),
            r => $"{r.Status}: {r.Error}");
        Assert.True(done.Status == WorkflowRunStatuses.Completed, done.Error);
        Assert.Contains("Paint blue", done.Steps[1].Summary, StringComparison.Ordinal);
        (await http.DeleteAsync($"/api/sessions/{done.SessionId}")).Dispose();
    }

    [GeneratedRegex(@"button ""Paint blue"" \[ref=((?:f\d+)?e\d+)\]")]
    private static partial Regex BlueRef();
}
