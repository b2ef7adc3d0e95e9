using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// The workflow API: bad JSON refused with every problem listed (and nothing stored), versions and export, deleting
/// keeps runs readable, and workflows and runs belong to their owner.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class WorkflowApiTests(AgentServiceFixture service)
{
    private readonly WorkflowTestClient _client = new(service.Http);

    [Fact]
    public async Task Create_BadWorkflow_IsRefusedListingEveryProblem_AndNothingIsStored()
    {
        const string bad = """
            { "name": "Broken",
              "parameters": [ { "name": "query", "type": "string" } ],
              "steps": [
                { "action": "teleport", "to": "mars" },
                { "action": "navigate" },
                { "action": "extract_data", "name": "rows", "schema": { "type": 5 } },
                { "action": "fill_form", "fields": { "Search": "{{qeury}}" } } ] }
            """;
        var before = await service.Http.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows");

        using var response = await _client.PostJsonAsync("/api/workflows", bad);
        var problems = await WorkflowTestClient.ProblemsAsync(response);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("steps[0]", StringComparison.Ordinal) && p.Contains("unknown action 'teleport'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("steps[1] (navigate)", StringComparison.Ordinal) && p.Contains("missing argument 'url'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("steps[2] (extract_data)", StringComparison.Ordinal) && p.Contains("not a valid JSON Schema", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("steps[3] (fill_form)", StringComparison.Ordinal) && p.Contains("{{qeury}} is not a parameter", StringComparison.Ordinal));
        var after = await service.Http.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows");
        Assert.Equal(before!.Length, after!.Length);
    }

    [Fact]
    public async Task Put_AddsAVersion_VersionsAreKept_AndExportGivesBackWhatCreateTakes()
    {
        var page = service.Pages.Page("/workflows/versions", "<!doctype html><title>V</title><p>v</p>");
        var created = await _client.CreateAsync($$"""{ "name": "Versioned", "steps": [ { "action": "navigate", "url": "{{page}}" } ] }""");
        var edited = created.Definition with { Name = "Versioned, edited", Description = "second" };

        using var put = await service.Http.PutAsJsonAsync($"/api/workflows/{created.Id}", edited);
        var updated = (await put.Content.ReadFromJsonAsync<WorkflowDto>())!;
        var versions = (await service.Http.GetFromJsonAsync<WorkflowVersionDto[]>($"/api/workflows/{created.Id}/versions"))!;
        var exportedFirst = await service.Http.GetStringAsync($"/api/workflows/{created.Id}/export?version=1");
        var exportedCurrent = await service.Http.GetStringAsync($"/api/workflows/{created.Id}/export");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, created.Version);
        Assert.Equal(2, updated.Version);
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal("Versioned", versions[1].Definition.Name);
        Assert.Equal("Versioned", JsonDocument.Parse(exportedFirst).RootElement.GetProperty("name").GetString());
        Assert.Equal("second", JsonDocument.Parse(exportedCurrent).RootElement.GetProperty("description").GetString());
        // The export is the import format: it creates an equal workflow.
        var imported = await _client.CreateAsync(exportedCurrent);
        Assert.Equal("Versioned, edited", imported.Definition.Name);
        Assert.Equal(1, imported.Version);
    }

    [Fact]
    public async Task Delete_HidesTheWorkflow_ButItsRunsStayReadable()
    {
        var page = service.Pages.Page("/workflows/delete", "<!doctype html><title>Gone soon</title><p>here</p>");
        var workflow = await _client.CreateAsync($$"""{ "name": "Short-lived", "steps": [ { "action": "navigate", "url": "{{page}}", "name": "opened" } ] }""");
        var run = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id)).Id);
        await _client.CloseSessionAsync(run.SessionId);

        using var delete = await service.Http.DeleteAsync($"/api/workflows/{workflow.Id}");
        using var get = await service.Http.GetAsync($"/api/workflows/{workflow.Id}");
        var list = (await service.Http.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows"))!;
        var afterDelete = await _client.RunAsync(run.Id);
        var runs = (await service.Http.GetFromJsonAsync<WorkflowRunSummaryDto[]>($"/api/workflows/{workflow.Id}/runs"))!;

        Assert.Equal(WorkflowRunStatuses.Completed, run.Status);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.DoesNotContain(list, w => w.Id == workflow.Id);
        Assert.Equal(WorkflowRunStatuses.Completed, afterDelete.Status);
        Assert.Equal("Short-lived", afterDelete.WorkflowName);
        Assert.Equal(page.ToString(), afterDelete.Outputs.GetProperty("opened").GetProperty("url").GetString());
        Assert.Equal(run.Id, Assert.Single(runs).Id);
    }

    [Fact]
    public async Task AnotherUser_GetsNotFound_ForTheWorkflowAndItsRuns_AndTheAdministratorSeesThem()
    {
        using var alice = TestIdentity.ClientFor(service.BaseAddress, "wf-alice");
        using var bob = TestIdentity.ClientFor(service.BaseAddress, "wf-bob");
        var page = service.Pages.Page("/workflows/owned", "<!doctype html><title>Mine</title><p>mine</p>");
        var aliceClient = new WorkflowTestClient(alice);
        var workflow = await aliceClient.CreateAsync($$"""{ "name": "Alice's", "steps": [ { "action": "navigate", "url": "{{page}}" } ] }""");
        var run = await aliceClient.WaitForEndAsync((await aliceClient.StartAsync(workflow.Id)).Id);
        await aliceClient.CloseSessionAsync(run.SessionId);

        Assert.Equal("wf-alice", workflow.Owner);
        Assert.Equal("wf-alice", run.Owner);
        foreach (var path in new[]
                 {
                     $"/api/workflows/{workflow.Id}", $"/api/workflows/{workflow.Id}/versions", $"/api/workflows/{workflow.Id}/export",
                     $"/api/workflows/{workflow.Id}/runs", $"/api/workflow-runs/{run.Id}",
                 })
        {
            using var response = await bob.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered bob {response.StatusCode}");
        }

        using var start = await bob.PostAsJsonAsync($"/api/workflows/{workflow.Id}/runs", new { });
        using var resume = await bob.PostAsync($"/api/workflow-runs/{run.Id}/resume", null);
        using var delete = await bob.DeleteAsync($"/api/workflows/{workflow.Id}");
        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, resume.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.DoesNotContain((await bob.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows"))!, w => w.Id == workflow.Id);
        Assert.Contains((await alice.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows"))!, w => w.Id == workflow.Id);
        Assert.Contains((await service.Http.GetFromJsonAsync<WorkflowSummaryDto[]>("/api/workflows"))!, w => w.Id == workflow.Id);
        Assert.Equal(run.Id, (await _client.RunAsync(run.Id)).Id);
    }

    [Fact]
    public async Task Run_WithAnUnknownOrMissingInput_IsRefusedBeforeAnythingRuns()
    {
        var page = service.Pages.Page("/workflows/inputs", "<!doctype html><title>In</title><p>in</p>");
        var workflow = await _client.CreateAsync($$$"""
            { "name": "Needs input", "parameters": [ { "name": "query" }, { "name": "limit", "type": "number", "default": 5 } ],
              "steps": [ { "action": "navigate", "url": "{{{page}}}?q={{query}}" } ] }
            """);

        using var response = await service.Http.PostAsJsonAsync($"/api/workflows/{workflow.Id}/runs", new { inputs = new { qurey = "x", limit = "many" } });
        var problems = await WorkflowTestClient.ProblemsAsync(response);
        var runs = (await service.Http.GetFromJsonAsync<WorkflowRunSummaryDto[]>($"/api/workflows/{workflow.Id}/runs"))!;

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("'qurey' is not a parameter", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'query' is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'limit' must be a number", StringComparison.Ordinal));
        Assert.Empty(runs);
    }
}
