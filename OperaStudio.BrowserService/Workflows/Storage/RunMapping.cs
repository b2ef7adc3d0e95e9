using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Storage;

/// <summary>A stored run as the API shows it.</summary>
public static class RunMapping
{
    public static WorkflowRunDto ToDto(WorkflowRunRecord run) => new(
        run.Id, run.WorkflowId, run.WorkflowName, run.WorkflowVersion, run.Owner, run.SessionId, run.BatchId, run.Trigger, run.Status,
        WorkflowJson.Element(run.Inputs), Steps(run), WorkflowJson.Element(run.Outputs), run.Error, run.FailedStep, run.Changed,
        run.StartedAt, run.FinishedAt);

    public static WorkflowRunSummaryDto ToSummary(WorkflowRunRecord run) => new(
        run.Id, run.WorkflowId, run.WorkflowVersion, run.SessionId, run.BatchId, run.Trigger, run.Status, WorkflowJson.Element(run.Inputs),
        run.Error, run.StepsDone, run.StepCount, run.Changed, run.StartedAt, run.FinishedAt);

    public static List<WorkflowRunStepDto> Steps(WorkflowRunRecord run) => WorkflowJson.Deserialize<List<WorkflowRunStepDto>>(run.Steps);
}
