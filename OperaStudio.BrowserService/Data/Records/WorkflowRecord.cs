namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// A stored workflow: who owns it and which version is current. The definitions themselves are
/// <see cref="WorkflowVersionRecord"/>s; the name and schedule are copied here so lists and the scheduler need no join.
/// Deleting sets <see cref="DeletedAt"/>: the row stays so its past runs keep their workflow.
/// </summary>
public sealed class WorkflowRecord
{
    public required string Id { get; set; }

    public required string Owner { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The current version (the highest).</summary>
    public int Version { get; set; }

    public int StepCount { get; set; }

    /// <summary>The current version's cron expression, if any.</summary>
    public string? Schedule { get; set; }

    /// <summary>When the scheduler last started a run of it (so a restart does not start the same slot twice).</summary>
    public DateTimeOffset? LastScheduledAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}
