using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows;

// Where the workflow pieces meet: stored workflows and their runs (Storage/, Runs/) are used by batches, schedules and
// the authoring endpoints (Batches/, Schedules/, Authoring/), which know them only through these two interfaces.

/// <summary>Stored workflows.</summary>
public interface IWorkflowCatalog
{
    /// <summary>Validates and stores a new workflow (version 1); throws <see cref="WorkflowInvalidException"/> listing every problem.</summary>
    Task<WorkflowDto> CreateAsync(string owner, WorkflowDefinitionDto definition, CancellationToken cancellationToken);

    /// <summary>The workflow at its current version; null when there is none (or it was deleted).</summary>
    Task<WorkflowDto?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every workflow that has a schedule.</summary>
    Task<IReadOnlyList<WorkflowDto>> ScheduledAsync(CancellationToken cancellationToken);
}

/// <summary>Runs of workflows.</summary>
public interface IWorkflowRuns
{
    /// <summary>
    /// Starts a run of the workflow's current version and returns at once (status <c>running</c>, or <c>queued</c>).
    /// Throws <see cref="WorkflowInvalidException"/> for bad inputs (nothing runs).
    /// </summary>
    Task<WorkflowRunDto> StartAsync(WorkflowStart start, CancellationToken cancellationToken);

    /// <summary>The run as it stands; null when there is none.</summary>
    Task<WorkflowRunDto?> FindAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Waits until the run is final (completed, failed, cancelled) and returns it.</summary>
    Task<WorkflowRunDto> WaitAsync(string runId, CancellationToken cancellationToken);
}

/// <summary>
/// What a run starts with. <see cref="SessionId"/>: an existing live session, or null for a new one owned by
/// <see cref="Owner"/>. <see cref="CloseSessionWhenCompleted"/>: batch and scheduled runs close the session they opened
/// once they complete (a failed run keeps it, so a person can fix the page and resume).
/// </summary>
public sealed record WorkflowStart(
    string WorkflowId,
    string Owner,
    JsonObject Inputs,
    string? SessionId,
    string Trigger,
    string? BatchId = null,
    bool CloseSessionWhenCompleted = false);

/// <summary>A workflow definition or a run's inputs that cannot be used: every problem, each one sentence.</summary>
public sealed class WorkflowInvalidException(IReadOnlyList<string> problems)
    : Exception("The workflow is not valid: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
