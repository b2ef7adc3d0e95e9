using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Workflows.Runs;
using OperaStudio.BrowserService.Workflows.Storage;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// A stored run never stays "running" with nobody running it: a stopping node fails its runs at their step, and the
/// sweep fails those of a node that went away without stopping (killed) — each resumable. A run a node still runs, or
/// one so young its session may not be listed yet, is left alone.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class WorkflowRecoveryTests(AgentServiceFixture service)
{
    private readonly WorkflowTestClient _client = new(service.Http);

    [Fact]
    public async Task RunsNobodyRuns_AreStoredFailedAtTheirStep_AndResume()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = service.Pages.Page("/workflows/recovery", "<!doctype html><title>Recovery</title><h1>Still here</h1>");
        var workflow = await _client.CreateAsync($$"""
            { "name": "Interrupted", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "ask_user", "question": "Say done." },
                { "action": "get_content", "name": "page", "format": "text" } ] }
            """);
        var started = await _client.StartAsync(workflow.Id);
        try
        {
            await Eventually.ValueAsync(
                () => _client.RunAsync(started.Id), r => r.Status == WorkflowRunStatuses.WaitingForUser,
                "the run to wait for the person", WorkflowTestClient.Patience, WorkflowTestClient.Describe);
            var registry = service.Services.GetRequiredService<SessionRegistry>();
            await Eventually.TrueAsync(async () => await registry.FindNodeAsync(started.SessionId!) is not null, "the run's session to be registered", TimeSpan.FromSeconds(30));

            // What a killed node leaves behind: its run's row, "waiting", in a session no node holds.
            var store = service.Services.GetRequiredService<WorkflowRunStore>();
            var real = (await store.FindAsync(started.Id, ct))!;
            var old = DateTimeOffset.UtcNow - WorkflowRunRecovery.Grace - TimeSpan.FromMinutes(1);
            var orphan = await CloneAsync(store, real, "gone-session", old);
            var young = await CloneAsync(store, real, "gone-session", DateTimeOffset.UtcNow);
            var heldElsewhere = await CloneAsync(store, real, started.SessionId, old);

            var swept = await service.Services.GetRequiredService<WorkflowRunRecovery>().SweepAsync(ct);

            var lost = await _client.RunAsync(orphan);
            Assert.True(swept >= 1, $"swept {swept}");
            Assert.True(lost.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(lost));
            Assert.Equal(1, lost.FailedStep);
            Assert.Equal(WorkflowRunRecovery.LostMessage, lost.Error);
            Assert.Equal(WorkflowStepStatuses.Ok, lost.Steps[0].Status);
            Assert.Equal(WorkflowStepStatuses.Error, lost.Steps[1].Status);
            Assert.Equal(WorkflowRunStatuses.WaitingForUser, (await _client.RunAsync(young)).Status);
            Assert.Equal(WorkflowRunStatuses.WaitingForUser, (await _client.RunAsync(heldElsewhere)).Status);
            Assert.Equal(WorkflowRunStatuses.WaitingForUser, (await _client.RunAsync(started.Id)).Status);

            // The node stopping: its own run is written failed at its step before the sessions go.
            await service.Services.GetRequiredService<WorkflowRunner>().InterruptAllAsync(WorkflowRunRecovery.StoppedMessage, TimeSpan.FromSeconds(60));
            var stopped = await _client.RunAsync(started.Id);
            Assert.True(stopped.Status == WorkflowRunStatuses.Failed, WorkflowTestClient.Describe(stopped));
            Assert.Equal(1, stopped.FailedStep);
            Assert.Equal(WorkflowRunRecovery.StoppedMessage, stopped.Error);

            // Resumable: past the question, it finishes in the same session.
            await _client.ResumeAsync(started.Id, fromStep: 2);
            var done = await _client.WaitForEndAsync(started.Id);
            Assert.True(done.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(done));
            Assert.Contains("Still here", done.Outputs.GetProperty("page").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await _client.CloseSessionAsync(started.SessionId);
        }
    }

    private static async Task<string> CloneAsync(WorkflowRunStore store, BrowserService.Data.Records.WorkflowRunRecord real, string? sessionId, DateTimeOffset startedAt)
    {
        var id = Ids.New(12);
        await store.InsertAsync(
            new BrowserService.Data.Records.WorkflowRunRecord
            {
                Id = id, WorkflowId = real.WorkflowId, WorkflowVersion = real.WorkflowVersion, WorkflowName = real.WorkflowName, Owner = real.Owner,
                SessionId = sessionId, Trigger = real.Trigger, Status = real.Status, Inputs = real.Inputs, InputsKey = real.InputsKey,
                Steps = real.Steps, Outputs = real.Outputs, StepCount = real.StepCount, StartedAt = startedAt,
            },
            TestContext.Current.CancellationToken);
        return id;
    }
}
