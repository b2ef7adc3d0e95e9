using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// Workflow runs on the service without a model: a description the page does not resolve fails with the resolver's own
/// error (nothing to re-ground with), and a script step waits for the person's approval as the agent's would.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class WorkflowRunWithoutModelTests(BrowserServiceFixture service)
{
    private readonly WorkflowTestClient _client = new(service.Http);

    [Fact]
    public async Task Click_ByADescriptionThePageDoesNotResolve_FailsWithTheResolversError_AndIsNotRegrounded()
    {
        var page = service.Pages.Page("/workflows/no-model", """
            <!doctype html><title>Finder</title><h1>Finder</h1><button>Go</button><button>Clear</button>
            """);
        var workflow = await _client.CreateAsync($$"""
            { "name": "No model", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "click", "description": "magnifier icon" } ] }
            """);

        var run = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id)).Id);

        try
        {
            Assert.True(run.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(run));
            Assert.Equal(1, run.FailedStep);
            Assert.Contains("magnifier icon", run.Steps[1].Error, StringComparison.Ordinal);
            Assert.Null(run.Steps[1].Regrounded);
            Assert.NotNull(run.Steps[1].ImageUrl);
        }
        finally
        {
            await _client.CloseSessionAsync(run.SessionId);
        }
    }

    [Fact]
    public async Task ExecuteScript_WaitsForApproval_RunsWhenApproved_AndADenialStopsTheRun()
    {
        var page = service.Pages.Page("/workflows/approval", "<!doctype html><title>Scripted</title><p>s</p>");
        var workflow = await _client.CreateAsync($$"""
            { "name": "Script", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "execute_script", "name": "title", "script": "document.title", "retries": 2 } ] }
            """);
        var sessions = new List<string?>();
        try
        {
            foreach (var approve in new[] { true, false })
            {
                var started = await _client.StartAsync(workflow.Id);
                sessions.Add(started.SessionId);
                var waiting = await Eventually.ValueAsync(
                    () => _client.RunAsync(started.Id), r => r.Status == WorkflowRunStatuses.WaitingForApproval || WorkflowRunStatuses.IsFinal(r.Status),
                    "the run to wait for approval", WorkflowTestClient.Patience, WorkflowTestClient.Describe);
                Assert.True(waiting.Status == WorkflowRunStatuses.WaitingForApproval, WorkflowTestClient.Describe(waiting));
                Assert.Equal(WorkflowStepStatuses.WaitingForApproval, waiting.Steps[1].Status);
                var approvals = (await service.Http.GetFromJsonAsync<ApprovalDto[]>($"/api/sessions/{started.SessionId}/approvals"))!;
                var approval = Assert.Single(approvals);
                Assert.Equal("workflow", approval.Source);
                using (var decided = await service.Http.PostAsJsonAsync($"/api/sessions/{started.SessionId}/approvals/{approval.Id}", new { approve }))
                {
                    Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
                }

                var run = await _client.WaitForEndAsync(started.Id);

                if (approve)
                {
                    Assert.True(run.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(run));
                    Assert.Equal("Scripted", run.Outputs.GetProperty("title").GetString());
                }
                else
                {
                    Assert.True(run.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(run));
                    Assert.Equal(WorkflowStepStatuses.Denied, run.Steps[1].Status);
                    // A refusal is not retried.
                    Assert.Equal(1, run.Steps[1].Attempts);
                    Assert.Contains("denied", run.Error, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            foreach (var session in sessions)
            {
                await _client.CloseSessionAsync(session);
            }
        }
    }
}
