using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// What one attempt at a step came to. <see cref="Status"/> is a <see cref="WorkflowStepStatuses"/> value;
/// <see cref="Image"/> a picture the step took (a screenshot step's).
/// </summary>
public sealed record StepOutcome(string Status, string? Summary, JsonNode? Output, string? Error, string? Regrounded = null, byte[]? Image = null)
{
    public bool Ok => Status == WorkflowStepStatuses.Ok;

    public static StepOutcome Done(string summary, JsonNode? output) => new(WorkflowStepStatuses.Ok, summary, output, null);

    public static StepOutcome Failed(string error, string? regrounded = null) => new(WorkflowStepStatuses.Error, null, null, error, regrounded);
}
