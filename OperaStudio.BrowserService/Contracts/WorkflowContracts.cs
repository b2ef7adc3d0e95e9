using System.Text.Json;

namespace OperaStudio.BrowserService.Contracts;

// Workflows: saved step lists that run in a session (one at a time, in batches, on a schedule) and compare what they
// extracted. JSON, camelCase, except inside a step, whose argument names are the tools' own (snake_case). The web app
// compiles this folder too; keep it free of server types.

/// <summary>
/// A workflow as it is imported, exported, created and edited: the same JSON in and out.
/// <see cref="Steps"/> are JSON objects: <c>{"action": "click", "description": "search button"}</c>, with the optional
/// keys <c>name</c> (the step's output is kept under it), <c>timeout_ms</c> and <c>retries</c> beside the action's own
/// arguments. Any string argument may hold <c>{{param}}</c> placeholders (and <c>{{secret:NAME}}</c>, as for the agent).
/// <see cref="Schedule"/>: an optional five-field cron expression (UTC); <see cref="ScheduleInputs"/> are its inputs.
/// </summary>
public sealed record WorkflowDefinitionDto(
    string? Name,
    string? Description,
    IReadOnlyList<WorkflowParameterDto>? Parameters,
    IReadOnlyList<JsonElement>? Steps,
    string? Schedule = null,
    JsonElement? ScheduleInputs = null);

/// <summary>
/// A typed input. <see cref="Type"/>: <c>string</c> (the default), <c>number</c>, <c>boolean</c>. A parameter without a
/// <see cref="Default"/> must be given when the workflow runs.
/// </summary>
public sealed record WorkflowParameterDto(string Name, string? Type = "string", string? Description = null, JsonElement? Default = null);

/// <summary>A stored workflow: its current version's definition, who owns it, and its latest run.</summary>
public sealed record WorkflowDto(
    string Id,
    string Owner,
    int Version,
    WorkflowDefinitionDto Definition,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    WorkflowRunSummaryDto? LastRun);

/// <summary>A workflow in a list.</summary>
public sealed record WorkflowSummaryDto(
    string Id,
    string Name,
    string? Description,
    string Owner,
    int Version,
    int StepCount,
    string? Schedule,
    DateTimeOffset UpdatedAt,
    WorkflowRunSummaryDto? LastRun);

/// <summary>One stored version of a workflow (versions are never changed, only added).</summary>
public sealed record WorkflowVersionDto(int Version, WorkflowDefinitionDto Definition, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>
/// Starts a run. <see cref="Inputs"/>: an object of parameter name → value. <see cref="SessionId"/>: run in this live
/// session (the caller must be able to act in it); without it a new session is opened for the run.
/// </summary>
public sealed record WorkflowRunRequest(JsonElement? Inputs, string? SessionId = null);

/// <summary>
/// Starts a batch: one run per input object, each in a new session, at most <see cref="Concurrency"/> at a time
/// (capped by <c>Workflows:MaxBatchConcurrency</c>). The same endpoint takes <c>text/csv</c>: a header row of
/// parameter names, one run per row.
/// </summary>
public sealed record WorkflowBatchRequest(IReadOnlyList<JsonElement>? Inputs, int? Concurrency = null);

/// <summary>
/// A run. <see cref="Status"/>: see <see cref="WorkflowRunStatuses"/>. <see cref="Outputs"/>: an object of step name →
/// that step's output. <see cref="FailedStep"/>: the index of the step it stopped at (resume starts there).
/// <see cref="Trigger"/>: <c>manual</c>, <c>batch</c>, <c>schedule</c>. <see cref="Changed"/>: its outputs differ from
/// the previous completed run of this workflow with the same inputs (null when there is none to compare with).
/// </summary>
public sealed record WorkflowRunDto(
    string Id,
    string WorkflowId,
    string WorkflowName,
    int WorkflowVersion,
    string Owner,
    string? SessionId,
    string? BatchId,
    string Trigger,
    string Status,
    JsonElement Inputs,
    IReadOnlyList<WorkflowRunStepDto> Steps,
    JsonElement Outputs,
    string? Error,
    int? FailedStep,
    bool? Changed,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>
/// One step of a run. <see cref="Arguments"/>: the step as it ran (placeholders filled in, secrets as placeholders).
/// <see cref="Status"/>: see <see cref="WorkflowStepStatuses"/>. <see cref="Output"/>: what the step produced (extracted
/// data, content, a script's value; for compare_results a <see cref="ComparisonDto"/>). <see cref="ImageUrl"/>: the
/// screenshot a step took, or the page when it failed. <see cref="Regrounded"/> says how the model found an element the
/// description alone did not (null when it was not needed).
/// </summary>
public sealed record WorkflowRunStepDto(
    int Index,
    string Action,
    string? Name,
    JsonElement Arguments,
    string Status,
    string? Summary,
    JsonElement? Output,
    string? Error,
    string? ImageUrl,
    int Attempts,
    string? Regrounded,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A run in a list (a workflow's runs, a batch's rows).</summary>
public sealed record WorkflowRunSummaryDto(
    string Id,
    string WorkflowId,
    int WorkflowVersion,
    string? SessionId,
    string? BatchId,
    string Trigger,
    string Status,
    JsonElement Inputs,
    string? Error,
    int StepsDone,
    int StepCount,
    bool? Changed,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A batch: its runs in input order, with counts for the progress table.</summary>
public sealed record WorkflowBatchDto(
    string Id,
    string WorkflowId,
    string WorkflowName,
    string Owner,
    int Concurrency,
    int Total,
    int Completed,
    int Failed,
    int Running,
    int Queued,
    IReadOnlyList<WorkflowRunSummaryDto> Runs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>Makes a workflow from a finished chat run of a session (its successful tool calls become the steps).</summary>
public sealed record WorkflowFromRunRequest(string? SessionId, string? RunId, string? Name);

/// <summary>Makes a workflow from a recording's action list.</summary>
public sealed record WorkflowFromRecordingRequest(string? RecordingId, string? Name);

/// <summary>
/// compare_results' output. <see cref="Of"/>: the compared step names (the columns). Records are matched across them by
/// <see cref="MatchedBy"/> (a field, or <c>position</c>). <see cref="Summary"/>: the model's short written comparison,
/// when a model is configured.
/// </summary>
public sealed record ComparisonDto(
    IReadOnlyList<string> Of,
    string MatchedBy,
    IReadOnlyList<string> Fields,
    IReadOnlyList<ComparisonRowDto> Rows,
    string? Summary);

/// <summary>
/// One matched record. <see cref="Records"/> has one entry per compared step, in <see cref="ComparisonDto.Of"/>'s order
/// (null where that step found no such record). <see cref="Differing"/>: fields whose values differ.
/// <see cref="Best"/>: per numeric field, which step has the best value.
/// </summary>
public sealed record ComparisonRowDto(string Key, IReadOnlyList<JsonElement?> Records, IReadOnlyList<string> Differing, IReadOnlyList<BestValueDto> Best);

/// <summary>The best value of a numeric field in a row: <see cref="Rule"/> <c>min</c> (prices, the default) or <c>max</c>.</summary>
public sealed record BestValueDto(string Field, string Step, double Value, string Rule);

/// <summary>A run's <see cref="WorkflowRunDto.Status"/>.</summary>
public static class WorkflowRunStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string WaitingForApproval = "waiting_for_approval";
    public const string WaitingForUser = "waiting_for_user";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>The run is over; only <c>failed</c> (and <c>cancelled</c>) runs can be resumed.</summary>
    public static bool IsFinal(string status) => status is Completed or Failed or Cancelled;
}

/// <summary>A run step's <see cref="WorkflowRunStepDto.Status"/>.</summary>
public static class WorkflowStepStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string WaitingForApproval = "waiting_for_approval";
    public const string WaitingForUser = "waiting_for_user";
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Denied = "denied";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string status) => status is Ok or Error or Denied or Cancelled;
}

/// <summary>The actions a workflow step may name, and the run triggers.</summary>
public static class WorkflowActions
{
    public const string Navigate = "navigate";
    public const string FillForm = "fill_form";
    public const string Click = "click";
    public const string Type = "type";
    public const string Select = "select";
    public const string Press = "press";
    public const string WaitFor = "wait_for";
    public const string ExtractData = "extract_data";
    public const string Screenshot = "screenshot";
    public const string GetContent = "get_content";
    public const string Tabs = "tabs";
    public const string ExecuteScript = "execute_script";
    public const string AskUser = "ask_user";
    public const string Agent = "agent";
    public const string CompareResults = "compare_results";
    public const string Hover = "hover";
    public const string Scroll = "scroll";
    public const string GoBack = "go_back";
    public const string GoForward = "go_forward";

    public const string ManualTrigger = "manual";
    public const string BatchTrigger = "batch";
    public const string ScheduleTrigger = "schedule";
}
