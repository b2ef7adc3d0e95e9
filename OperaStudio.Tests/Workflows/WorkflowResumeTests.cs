using System.Net;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// A run stops at a failing step with the error and a picture of the page; the person fixes the page by hand and
/// resumes from that step. A run whose session died resumes in the restored session.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class WorkflowResumeTests(AgentServiceFixture service)
{
    private readonly WorkflowTestClient _client = new(service.Http);

    /// <summary>"Continue" shows only once the terms are accepted: the workflow forgot that step.</summary>
    private const string TermsPage = """
        <!doctype html><title>Terms</title><h1>Terms</h1>
        <label><input type="checkbox" id="agree" onchange="document.getElementById('go').hidden = !this.checked"> I agree</label>
        <button id="go" hidden onclick="document.getElementById('out').textContent = 'Welcome aboard'">Continue</button>
        <p id="out"></p>
        """;

    [Fact]
    public async Task FailingStep_StopsTheRunWithTheErrorAndAPicture_AndAfterAFixByHand_ResumesFromThatStep()
    {
        var page = service.Pages.Page("/workflows/resume-fix", TermsPage);
        var workflow = await _client.CreateAsync($$"""
            { "name": "Terms", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "click", "text": "Continue", "retries": 1, "timeout_ms": 3000 },
                { "action": "get_content", "name": "page", "format": "text" } ] }
            """);

        var failed = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id)).Id);
        try
        {
            Assert.True(failed.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(failed));
            Assert.Equal(1, failed.FailedStep);
            Assert.Equal(WorkflowStepStatuses.Ok, failed.Steps[0].Status);
            Assert.Equal(WorkflowStepStatuses.Error, failed.Steps[1].Status);
            Assert.Equal(2, failed.Steps[1].Attempts);
            Assert.Contains("Continue", failed.Steps[1].Error, StringComparison.Ordinal);
            Assert.Equal(WorkflowStepStatuses.Pending, failed.Steps[2].Status);
            using var image = await service.Http.GetAsync(failed.Steps[1].ImageUrl);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
            Assert.True((await image.Content.ReadAsByteArrayAsync()).Length > 1000);

            // The person fixes the page by hand (through the actions API, in the run's session), then resumes.
            var session = new Agent.AgentClient(service.Http, failed.SessionId!);
            await session.ActAsync("click", new { text = "I agree" });
            var resumed = await _client.ResumeAsync(failed.Id);
            var done = await _client.WaitForEndAsync(resumed.Id);

            Assert.Equal(failed.Id, resumed.Id);
            Assert.True(done.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(done));
            Assert.Equal(failed.SessionId, done.SessionId);
            Assert.Null(done.FailedStep);
            Assert.Null(done.Error);
            Assert.Equal(1, done.Steps[1].Attempts);
            Assert.Contains("Welcome aboard", done.Outputs.GetProperty("page").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await _client.CloseSessionAsync(failed.SessionId);
        }
    }

    [Fact]
    public async Task RunWhoseSessionDied_ResumesInTheRestoredSession_FromTheFailedStep()
    {
        var html = "<!doctype html><title>Flaky</title><h1>Flaky</h1><p>Loading…</p>";
        var page = service.Pages.Handle("/workflows/resume-died", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, Volatile.Read(ref html));
        });
        var workflow = await _client.CreateAsync($$"""
            { "name": "Flaky", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "wait_for", "text": "Ready", "timeout_ms": 2000 },
                { "action": "get_content", "name": "page" } ] }
            """);
        var failed = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id)).Id);
        var sessionId = failed.SessionId!;
        try
        {
            Assert.True(failed.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(failed));
            Assert.Equal(1, failed.FailedStep);

            // The session goes away (released: its state is saved, the browser context is gone), and the site is fixed.
            Assert.True(await service.Sessions.ReleaseAsync(sessionId, "test: the session died"));
            Assert.Null(service.Sessions.Find(sessionId));
            Volatile.Write(ref html, "<!doctype html><title>Flaky</title><h1>Flaky</h1><p>Ready</p>");

            var resumed = await _client.ResumeAsync(failed.Id);
            var done = await _client.WaitForEndAsync(resumed.Id);

            Assert.True(done.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(done));
            Assert.Equal(sessionId, done.SessionId);
            Assert.NotNull(service.Sessions.Find(sessionId));
            // Step 0 was not run again: it kept its first attempt's time.
            Assert.Equal(failed.Steps[0].FinishedAt, done.Steps[0].FinishedAt);
            Assert.Contains("Ready", done.Outputs.GetProperty("page").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await _client.CloseSessionAsync(sessionId);
        }
    }
}
