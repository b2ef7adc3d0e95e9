namespace OperaStudio.BrowserService.Data.Records;

/// <summary>A batch of runs of one workflow, one per input; its runs carry its id (<see cref="WorkflowRunRecord.BatchId"/>).</summary>
public sealed class WorkflowBatchRecord
{
    public required string Id { get; set; }

    public required string WorkflowId { get; set; }

    public required string Owner { get; set; }

    public int Concurrency { get; set; }

    public int Total { get; set; }

    /// <summary>The inputs (JSON array of objects), in order.</summary>
    public required string Inputs { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
