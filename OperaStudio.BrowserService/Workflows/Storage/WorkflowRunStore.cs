using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Workflows.Storage;

/// <summary>Runs and their step images in PostgreSQL, written as a run goes so any reader sees its progress.</summary>
public sealed class WorkflowRunStore(IDbContextFactory<OperaDbContext> database)
{
    public async Task InsertAsync(WorkflowRunRecord run, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        db.WorkflowRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Writes the whole row (a run's writer is the only one, so the last write is the truth).</summary>
    public async Task SaveAsync(WorkflowRunRecord run, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        db.WorkflowRuns.Update(run);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<WorkflowRunRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        return await db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>A workflow's runs, newest first.</summary>
    public async Task<IReadOnlyList<WorkflowRunSummaryDto>> ForWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var runs = await db.WorkflowRuns.AsNoTracking().Where(r => r.WorkflowId == workflowId)
            .OrderByDescending(r => r.StartedAt).Take(500).ToListAsync(cancellationToken);
        return [.. runs.Select(RunMapping.ToSummary)];
    }

    /// <summary>
    /// Whether <paramref name="run"/>'s outputs differ from those of the previous completed run of the same workflow with
    /// the same inputs; null when there is none.
    /// </summary>
    public async Task<bool?> ChangedAsync(WorkflowRunRecord run, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var previous = await db.WorkflowRuns.AsNoTracking()
            .Where(r => r.WorkflowId == run.WorkflowId && r.InputsKey == run.InputsKey && r.Status == WorkflowRunStatuses.Completed && r.Id != run.Id
                        && r.StartedAt <= run.StartedAt)
            .OrderByDescending(r => r.FinishedAt)
            .Select(r => r.Outputs)
            .FirstOrDefaultAsync(cancellationToken);
        return previous is null ? null : !JsonNode.DeepEquals(JsonNode.Parse(previous), JsonNode.Parse(run.Outputs));
    }

    /// <summary>Runs that say they are going (not queued, not over) and started before <paramref name="startedBefore"/>.</summary>
    public async Task<IReadOnlyList<WorkflowRunRecord>> UnfinishedAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        string[] going = [WorkflowRunStatuses.Running, WorkflowRunStatuses.WaitingForApproval, WorkflowRunStatuses.WaitingForUser];
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        return await db.WorkflowRuns.AsNoTracking()
            .Where(r => going.Contains(r.Status) && r.StartedAt < startedBefore)
            .Take(200)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Marks a run nobody runs any more as failed at <paramref name="failedStep"/>, unless its row changed since it was
    /// read with <paramref name="seenStatus"/> and <paramref name="seenSteps"/> (a node took it up meanwhile).
    /// </summary>
    public async Task<bool> MarkInterruptedAsync(
        string id, string seenStatus, string seenSteps, string steps, int failedStep, string error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var changed = await db.WorkflowRuns
            .Where(r => r.Id == id && r.Status == seenStatus && r.Steps == seenSteps)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, WorkflowRunStatuses.Failed)
                .SetProperty(r => r.Steps, steps)
                .SetProperty(r => r.FailedStep, failedStep)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, at), cancellationToken);
        return changed == 1;
    }

    public async Task SaveImageAsync(string runId, int stepIndex, string contentType, byte[] bytes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        await db.WorkflowRunImages.Where(i => i.RunId == runId && i.StepIndex == stepIndex).ExecuteDeleteAsync(cancellationToken);
        db.WorkflowRunImages.Add(new WorkflowRunImageRecord { RunId = runId, StepIndex = stepIndex, ContentType = contentType, Bytes = bytes, At = at });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<WorkflowRunImageRecord?> ImageAsync(string runId, int stepIndex, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        return await db.WorkflowRunImages.AsNoTracking().FirstOrDefaultAsync(i => i.RunId == runId && i.StepIndex == stepIndex, cancellationToken);
    }

    public static string ImageUrl(string runId, int stepIndex) => $"/api/workflow-runs/{runId}/steps/{stepIndex}/image";
}
