using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Workflows.Definitions;
using OperaStudio.BrowserService.Workflows.Storage;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// Runs workflows in sessions, one step after another. A run holds the session's control through an agent run of its
/// own, as the agent does: the person taking control pauses it (the step in progress is tried again when control comes
/// back), approvals and ask_user make it wait. It is written to PostgreSQL as it goes. On a failure it stops at the
/// step with the error and a picture of the page; resuming goes on from there, in the same session (restored if it was
/// released or crashed) or a new one.
/// </summary>
public sealed partial class WorkflowRunner(
    WorkflowCatalog catalog,
    WorkflowRunStore store,
    SessionManager sessions,
    AgentSessions agents,
    StepExecutor executor,
    IOptions<AgentOptions> agentOptions,
    TimeProvider time,
    ILogger<WorkflowRunner> logger) : IWorkflowRuns
{
    private static readonly TimeSpan FailureScreenshotTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, LiveRun> _live = new(StringComparer.Ordinal);

    public async Task<WorkflowRunDto> StartAsync(WorkflowStart start, CancellationToken cancellationToken)
    {
        var workflow = await catalog.FindAsync(start.WorkflowId, cancellationToken)
            ?? throw new WorkflowInvalidException([$"There is no workflow '{start.WorkflowId}'."]);
        var definition = workflow.Definition;
        var inputs = RunInputs.Resolve(Parameters(definition), start.Inputs);
        var (browser, opened) = start.SessionId is { } sessionId
            ? (await sessions.GetOrRestoreAsync(sessionId, cancellationToken) ?? throw new WorkflowInvalidException([$"There is no live session '{sessionId}'."]), false)
            : (await sessions.CreateAsync(null, start.Owner, cancellationToken), true);
        var steps = definition.Steps!.Select(Pending).ToList();
        var record = new WorkflowRunRecord
        {
            Id = Ids.New(12),
            WorkflowId = workflow.Id,
            WorkflowVersion = workflow.Version,
            WorkflowName = definition.Name!,
            Owner = start.Owner,
            SessionId = browser.Id,
            BatchId = start.BatchId,
            Trigger = start.Trigger,
            Status = WorkflowRunStatuses.Running,
            Inputs = inputs.ToJsonString(),
            InputsKey = WorkflowJson.InputsKey(inputs),
            Steps = WorkflowJson.Serialize(steps),
            Outputs = "{}",
            StepCount = steps.Count,
            CloseSessionWhenCompleted = start.CloseSessionWhenCompleted,
            StartedAt = time.GetUtcNow(),
        };

        LiveRun live;
        try
        {
            live = Begin(browser, record, steps, new JsonObject(), inputs, definition);
        }
        catch
        {
            if (opened)
            {
                await sessions.CloseAsync(browser.Id, "its workflow run could not start");
            }

            throw;
        }

        await store.InsertAsync(record, cancellationToken);
        LogRunStarted(record.Id, workflow.Id, browser.Id, start.Trigger);
        Launch(live, 0);
        return RunMapping.ToDto(record);
    }

    public async Task<WorkflowRunDto?> FindAsync(string runId, CancellationToken cancellationToken) =>
        await store.FindAsync(runId, cancellationToken) is { } record ? RunMapping.ToDto(record) : null;

    public async Task<WorkflowRunDto> WaitAsync(string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_live.TryGetValue(runId, out var live))
            {
                await live.Done.Task.WaitAsync(cancellationToken);
            }

            var run = await FindAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"There is no workflow run '{runId}'.");
            if (WorkflowRunStatuses.IsFinal(run.Status))
            {
                return run;
            }

            // Going on another node (or being resumed right now): look again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    /// <summary>
    /// Goes on with a failed or cancelled run from <paramref name="fromStep"/> (default: the step it failed at). Its
    /// session is restored when it was released or crashed, or a new one is opened when it is gone for good.
    /// </summary>
    public async Task<WorkflowRunDto> ResumeAsync(string runId, int? fromStep, CancellationToken cancellationToken)
    {
        if (_live.ContainsKey(runId))
        {
            throw new WorkflowRunConflictException("The run is still going; only a failed or cancelled run can be resumed.");
        }

        var record = await store.FindAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"There is no workflow run '{runId}'.");
        if (record.Status is not (WorkflowRunStatuses.Failed or WorkflowRunStatuses.Cancelled))
        {
            throw new WorkflowRunConflictException($"The run is {record.Status}; only a failed or cancelled run can be resumed.");
        }

        var definition = await catalog.DefinitionAsync(record.WorkflowId, record.WorkflowVersion, cancellationToken)
            ?? throw new WorkflowRunConflictException($"Version {record.WorkflowVersion} of the workflow is not stored any more.");
        var steps = RunMapping.Steps(record);
        var from = fromStep ?? record.FailedStep ?? Math.Max(0, steps.FindIndex(s => s.Status != WorkflowStepStatuses.Ok));
        if (from < 0 || from >= steps.Count)
        {
            throw new WorkflowInvalidException([$"fromStep must be from 0 to {steps.Count - 1}."]);
        }

        var browser = record.SessionId is { } sessionId && await sessions.GetOrRestoreAsync(sessionId, cancellationToken) is { IsClosed: false } restored
            ? restored
            : await sessions.CreateAsync(null, record.Owner, cancellationToken);
        var outputs = JsonNode.Parse(record.Outputs) as JsonObject ?? [];
        for (var i = from; i < steps.Count; i++)
        {
            if (steps[i].Name is { } name)
            {
                outputs.Remove(name);
            }

            steps[i] = Pending(definition.Steps![i], i);
        }

        var inputs = JsonNode.Parse(record.Inputs) as JsonObject ?? [];
        var live = Begin(browser, record, steps, outputs, inputs, definition);
        lock (live.Gate)
        {
            record.SessionId = browser.Id;
            record.Status = WorkflowRunStatuses.Running;
            record.Error = null;
            record.FailedStep = null;
            record.FinishedAt = null;
            record.Changed = null;
        }

        await SaveAsync(live);
        LogRunResumed(runId, from, browser.Id);
        Launch(live, from);
        return RunMapping.ToDto(record);
    }

    /// <summary>Stops a live run (its step in progress is cancelled), or marks a stopped one cancelled.</summary>
    public async Task<WorkflowRunDto?> CancelAsync(string runId, CancellationToken cancellationToken)
    {
        if (_live.TryGetValue(runId, out var live))
        {
            live.CancelRequested = true;
            live.AgentRun.Cancel();
            try
            {
                await live.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // It stops when its step lets go; the reader sees it then.
            }
        }
        else if (await store.FindAsync(runId, cancellationToken) is { Status: not (WorkflowRunStatuses.Completed or WorkflowRunStatuses.Cancelled) } record)
        {
            record.Status = WorkflowRunStatuses.Cancelled;
            record.FinishedAt ??= time.GetUtcNow();
            await store.SaveAsync(record, cancellationToken);
        }

        return await FindAsync(runId, cancellationToken);
    }

    /// <summary>Whether the run goes on on this node.</summary>
    public bool IsLive(string runId) => _live.ContainsKey(runId);

    /// <summary>
    /// Stops every run going on this node as failed with <paramref name="reason"/> and writes it, so none is left
    /// "running" with nobody running it; each can be resumed (on this node after its restart, or another one).
    /// Waits up to <paramref name="wait"/> for the writes.
    /// </summary>
    public async Task InterruptAllAsync(string reason, TimeSpan wait)
    {
        var runs = _live.Values.ToList();
        foreach (var live in runs)
        {
            live.Interruption = reason;
            live.AgentRun.Cancel();
        }

        try
        {
            await Task.WhenAll(runs.Select(r => r.Done.Task)).WaitAsync(wait, time);
        }
        catch (TimeoutException)
        {
            LogInterruptTimedOut(runs.Count(r => !r.Done.Task.IsCompleted));
        }
    }

    private LiveRun Begin(
        BrowserSession browser, WorkflowRunRecord record, List<WorkflowRunStepDto> steps, JsonObject outputs, JsonObject inputs, WorkflowDefinitionDto definition)
    {
        var agent = agents.Find(browser.Id) ?? throw new WorkflowRunConflictException($"The session '{browser.Id}' has ended.");
        var agentRun = agent.TryBeginRun(agentOptions.Value.MaxSteps)
            ?? throw new WorkflowRunConflictException("The session is busy with another run (the agent's or a workflow's); try again when it is done.");
        var live = new LiveRun
        {
            Record = record, Steps = steps, Outputs = outputs, Inputs = inputs, Definition = definition, Agent = agent, AgentRun = agentRun,
        };
        if (!_live.TryAdd(record.Id, live))
        {
            agent.FinishRun(agentRun, RunStates.Cancelled, "The workflow run is already going.");
            throw new WorkflowRunConflictException("The run is already going.");
        }

        return live;
    }

    private void Launch(LiveRun live, int from) => _ = Task.Run(() => ExecuteAsync(live, from));

    private async Task ExecuteAsync(LiveRun live, int from)
    {
        var run = live.AgentRun;
        var token = run.Token;
        void Follow(SessionEvent e)
        {
            if (e is AgentRunChanged changed && changed.Run.Id == run.Id)
            {
                FollowAgentRun(live, changed.Run.State);
            }
        }

        live.Agent.Browser.Events += Follow;
        try
        {
            for (var i = from; i < live.Steps.Count; i++)
            {
                await run.WaitForAgentTurnAsync(token);
                if (!await RunStepAsync(live, i, token))
                {
                    return;
                }
            }

            await CompleteAsync(live);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (live.Interruption is { } why)
            {
                await StopAsync(live, WorkflowRunStatuses.Failed, why, WorkflowStepStatuses.Error);
            }
            else if (live.CancelRequested || !live.Agent.Browser.IsClosed)
            {
                await StopAsync(live, WorkflowRunStatuses.Cancelled, "Cancelled.", WorkflowStepStatuses.Cancelled);
            }
            else
            {
                await StopAsync(live, WorkflowRunStatuses.Failed, "The session ended during the run; resume to go on in a restored session.", WorkflowStepStatuses.Error);
            }
        }
        catch (Exception ex)
        {
            LogRunCrashed(ex, live.Record.Id);
            await StopAsync(live, WorkflowRunStatuses.Failed, $"The run failed: {SessionsApi.FirstLine(ex.Message)}", WorkflowStepStatuses.Error);
        }
        finally
        {
            live.Agent.Browser.Events -= Follow;
            _live.TryRemove(live.Record.Id, out _);
            live.Done.TrySetResult();
        }
    }

    /// <summary>One step with its retries; false when the run stopped there (it failed).</summary>
    private async Task<bool> RunStepAsync(LiveRun live, int index, CancellationToken token)
    {
        var run = live.AgentRun;
        var step = (JsonObject)Placeholders.Fill(JsonNode.Parse(live.Definition.Steps![index].GetRawText()), live.Inputs)!;
        var retries = step[StepSpecs.RetriesKey] is JsonValue r && r.TryGetValue<int>(out var n) ? n : 0;
        var shown = WorkflowJson.Element(live.Agent.Vault.Scrub(step.ToJsonString()));
        var started = time.GetUtcNow();
        var attempts = 0;
        StepOutcome outcome;
        while (true)
        {
            attempts++;
            var attempt = attempts;
            Change(live, index, s => s with { Status = WorkflowStepStatuses.Running, Arguments = shown, Attempts = attempt, StartedAt = started, Error = null });
            await SaveAsync(live);
            outcome = await executor.RunAsync(live.Agent, run, step, live.Outputs, token);
            if (outcome.Ok)
            {
                break;
            }

            if (run.State is RunStates.Paused or RunStates.WaitingForUser)
            {
                // The person took control in the middle of the step: it is tried again once they give it back.
                await run.WaitForAgentTurnAsync(token);
                attempts--;
                continue;
            }

            if (outcome.Status == WorkflowStepStatuses.Denied || attempts > retries)
            {
                break;
            }
        }

        string? imageUrl = null;
        var image = outcome.Image ?? (outcome.Ok ? null : await PageImageAsync(live.Agent.Browser));
        if (image is not null)
        {
            await store.SaveImageAsync(live.Record.Id, index, "image/jpeg", image, time.GetUtcNow(), CancellationToken.None);
            imageUrl = WorkflowRunStore.ImageUrl(live.Record.Id, index);
        }

        var finished = time.GetUtcNow();
        Change(live, index, s => s with
        {
            Status = outcome.Status, Summary = outcome.Summary, Output = outcome.Output is null ? null : WorkflowJson.Element(outcome.Output),
            Error = outcome.Error, ImageUrl = imageUrl, Attempts = attempts, Regrounded = outcome.Regrounded, FinishedAt = finished,
        });
        if (outcome.Ok)
        {
            if (live.Steps[index].Name is { } name)
            {
                lock (live.Gate)
                {
                    live.Outputs[name] = outcome.Output?.DeepClone();
                }
            }

            await SaveAsync(live);
            return true;
        }

        var action = live.Steps[index].Action;
        var error = $"Step {index + 1} ({action}) {(outcome.Status == WorkflowStepStatuses.Denied ? "was denied" : "failed")}: {outcome.Error}";
        lock (live.Gate)
        {
            live.Record.Status = WorkflowRunStatuses.Failed;
            live.Record.FailedStep = index;
            live.Record.Error = error;
            live.Record.FinishedAt = finished;
        }

        live.Agent.FinishRun(run, RunStates.Failed, error + " Fix the page and resume the workflow from this step.");
        await SaveAsync(live);
        LogRunFailed(live.Record.Id, index, outcome.Error ?? "");
        return false;
    }

    private async Task CompleteAsync(LiveRun live)
    {
        lock (live.Gate)
        {
            live.Record.Status = WorkflowRunStatuses.Completed;
            live.Record.FinishedAt = time.GetUtcNow();
            live.Record.Outputs = live.Outputs.ToJsonString();
        }

        live.Record.Changed = await store.ChangedAsync(live.Record, CancellationToken.None);
        live.Agent.FinishRun(live.AgentRun, RunStates.Completed, "The workflow is done.");
        await SaveAsync(live);
        LogRunCompleted(live.Record.Id);
        if (live.Record.CloseSessionWhenCompleted)
        {
            await sessions.CloseAsync(live.Agent.Browser.Id, "its workflow run completed");
        }
    }

    /// <summary>The run stops for a reason other than a step's failure: cancelled, or its session ended.</summary>
    private async Task StopAsync(LiveRun live, string status, string message, string stepStatus)
    {
        var index = live.Current;
        if (index >= 0 && index < live.Steps.Count && !WorkflowStepStatuses.IsFinal(live.Steps[index].Status))
        {
            var now = time.GetUtcNow();
            Change(live, index, s => s with { Status = stepStatus, Error = message, FinishedAt = now });
        }

        lock (live.Gate)
        {
            live.Record.Status = status;
            live.Record.Error = status == WorkflowRunStatuses.Cancelled ? null : message;
            live.Record.FailedStep = status == WorkflowRunStatuses.Failed && index >= 0 ? index : null;
            live.Record.FinishedAt = time.GetUtcNow();
        }

        live.Agent.FinishRun(live.AgentRun, status == WorkflowRunStatuses.Cancelled ? RunStates.Cancelled : RunStates.Failed, message);
        await SaveAsync(live);
    }

    /// <summary>The agent run's state shows in the workflow run's: waiting for an approval, or for the person.</summary>
    private void FollowAgentRun(LiveRun live, string state)
    {
        var (status, stepStatus) = state switch
        {
            RunStates.WaitingForApproval => (WorkflowRunStatuses.WaitingForApproval, WorkflowStepStatuses.WaitingForApproval),
            RunStates.Paused or RunStates.WaitingForUser => (WorkflowRunStatuses.WaitingForUser, WorkflowStepStatuses.WaitingForUser),
            RunStates.Running => (WorkflowRunStatuses.Running, WorkflowStepStatuses.Running),
            _ => (null, null),
        };
        if (status is null)
        {
            return;
        }

        lock (live.Gate)
        {
            if (WorkflowRunStatuses.IsFinal(live.Record.Status) || live.Record.Status == status)
            {
                return;
            }

            live.Record.Status = status;
            if (live.Current >= 0 && !WorkflowStepStatuses.IsFinal(live.Steps[live.Current].Status))
            {
                live.Steps[live.Current] = live.Steps[live.Current] with { Status = stepStatus! };
            }
        }

        _ = SaveAsync(live);
    }

    private static void Change(LiveRun live, int index, Func<WorkflowRunStepDto, WorkflowRunStepDto> change)
    {
        lock (live.Gate)
        {
            live.Current = index;
            live.Steps[index] = change(live.Steps[index]);
            if (live.Steps[index].Status == WorkflowStepStatuses.Running && !WorkflowRunStatuses.IsFinal(live.Record.Status))
            {
                live.Record.Status = WorkflowRunStatuses.Running;
            }
        }
    }

    /// <summary>Writes the run as it stands; a failed write is logged, the run goes on (the next write carries it).</summary>
    private async Task SaveAsync(LiveRun live)
    {
        await live.Writes.WaitAsync();
        try
        {
            lock (live.Gate)
            {
                live.Record.Steps = WorkflowJson.Serialize(live.Steps);
                live.Record.Outputs = live.Outputs.ToJsonString();
                live.Record.StepsDone = live.Steps.Count(s => s.Status == WorkflowStepStatuses.Ok);
            }

            await store.SaveAsync(live.Record, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSaveFailed(ex, live.Record.Id);
        }
        finally
        {
            live.Writes.Release();
        }
    }

    /// <summary>The page as it was when a step failed, so the person sees what was in the way.</summary>
    private async Task<byte[]?> PageImageAsync(BrowserSession browser)
    {
        if (browser.IsClosed)
        {
            return null;
        }

        try
        {
            return await browser.ActiveTab.ScreenshotAsync(fullPage: false, quality: 70).WaitAsync(FailureScreenshotTimeout, time);
        }
        catch (Exception ex) when (ex is Microsoft.Playwright.PlaywrightException or InvalidOperationException or TimeoutException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static WorkflowRunStepDto Pending(JsonElement step, int index)
    {
        var action = step.TryGetProperty(StepSpecs.ActionKey, out var a) ? a.GetString() ?? "" : "";
        var name = step.TryGetProperty(StepSpecs.NameKey, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return new WorkflowRunStepDto(index, action, name, step, WorkflowStepStatuses.Pending, null, null, null, null, 0, null, null, null);
    }

    private static List<WorkflowParameterDto> Parameters(WorkflowDefinitionDto definition) =>
        [.. (definition.Parameters ?? []).Where(p => p is not null)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow run {RunId} of {WorkflowId} started in session {SessionId} ({Trigger})")]
    private partial void LogRunStarted(string runId, string workflowId, string sessionId, string trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow run {RunId} resumed from step {Step} in session {SessionId}")]
    private partial void LogRunResumed(string runId, int step, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow run {RunId} completed")]
    private partial void LogRunCompleted(string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow run {RunId} failed at step {Step}: {Error}")]
    private partial void LogRunFailed(string runId, int step, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow run {RunId} failed unexpectedly")]
    private partial void LogRunCrashed(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow run {RunId} could not be written")]
    private partial void LogSaveFailed(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} workflow runs had not stopped when the service went on stopping; the recovery sweep marks them failed")]
    private partial void LogInterruptTimedOut(int count);
}
