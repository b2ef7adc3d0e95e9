namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// A run of a workflow, written as it goes so a reader sees its progress. The steps are one JSON array (the
/// <c>WorkflowRunStepDto</c>s): a run is read and written whole, and its steps are never queried on their own.
/// </summary>
public sealed class WorkflowRunRecord
{
    public required string Id { get; set; }

    public required string WorkflowId { get; set; }

    public int WorkflowVersion { get; set; }

    public required string WorkflowName { get; set; }

    public required string Owner { get; set; }

    public string? SessionId { get; set; }

    /// <summary>The agent run that holds the session's control while this run goes.</summary>
    public string? AgentRunId { get; set; }

    public string? BatchId { get; set; }

    /// <summary>The run's position in its batch (input order).</summary>
    public int? BatchIndex { get; set; }

    /// <summary>manual, batch or schedule.</summary>
    public required string Trigger { get; set; }

    public required string Status { get; set; }

    /// <summary>The inputs as given (JSON object).</summary>
    public required string Inputs { get; set; }

    /// <summary>A canonical form of the inputs, so the previous run with the same inputs is found by equality.</summary>
    public required string InputsKey { get; set; }

    /// <summary>The steps as JSON (array of <c>WorkflowRunStepDto</c>).</summary>
    public required string Steps { get; set; }

    /// <summary>Step name → output (JSON object).</summary>
    public required string Outputs { get; set; }

    public string? Error { get; set; }

    public int? FailedStep { get; set; }

    public bool? Changed { get; set; }

    public int StepsDone { get; set; }

    public int StepCount { get; set; }

    /// <summary>Close the session the run opened once it completes (batch and scheduled runs).</summary>
    public bool CloseSessionWhenCompleted { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
