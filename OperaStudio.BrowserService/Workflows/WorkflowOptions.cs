using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Workflows;

/// <summary>Workflows: limits of runs and batches, and the scheduler. Section <c>Workflows</c>.</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Workflows";

    /// <summary>The most runs of one batch at a time (a batch asks for fewer or is capped to this).</summary>
    [Range(1, 64)]
    public int MaxBatchConcurrency { get; set; } = 4;

    /// <summary>The most inputs one batch takes.</summary>
    [Range(1, 100_000)]
    public int MaxBatchInputs { get; set; } = 500;

    /// <summary>How long a step may take unless it says (its <c>timeout_ms</c>).</summary>
    [Range(1, 120)]
    public int DefaultStepTimeoutSeconds { get; set; } = 30;

    /// <summary>The most retries a step may ask for.</summary>
    [Range(0, 10)]
    public int MaxStepRetries { get; set; } = 3;

    /// <summary>The most steps a workflow may have.</summary>
    [Range(1, 10_000)]
    public int MaxSteps { get; set; } = 200;

    public bool SchedulesEnabled { get; set; } = true;

    /// <summary>How often schedules are checked.</summary>
    [Range(1, 3600)]
    public int ScheduleIntervalSeconds { get; set; } = 30;
}
