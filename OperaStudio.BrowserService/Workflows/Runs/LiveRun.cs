using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// A run going on this node: its row and steps as they change (written back after each change), the definition and
/// inputs it runs with, and the agent run through which it holds the session's control.
/// </summary>
internal sealed class LiveRun
{
    public required WorkflowRunRecord Record { get; init; }

    public required List<WorkflowRunStepDto> Steps { get; init; }

    public required JsonObject Outputs { get; init; }

    public required JsonObject Inputs { get; init; }

    public required WorkflowDefinitionDto Definition { get; init; }

    public required AgentSession Agent { get; init; }

    public required AgentRun AgentRun { get; init; }

    /// <summary>Guards <see cref="Record"/>, <see cref="Steps"/> and <see cref="Outputs"/>: session events change them too.</summary>
    public Lock Gate { get; } = new();

    /// <summary>One write at a time, in order.</summary>
    public SemaphoreSlim Writes { get; } = new(1, 1);

    /// <summary>The step being carried out.</summary>
    public int Current { get; set; } = -1;

    /// <summary>Someone cancelled the workflow run (rather than its session ending under it).</summary>
    public bool CancelRequested { get; set; }

    /// <summary>Why this node stopped the run under it (the service is stopping); the run is stored failed, resumable.</summary>
    public string? Interruption { get; set; }

    /// <summary>Done when the run stops on this node (completed, failed, cancelled).</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
