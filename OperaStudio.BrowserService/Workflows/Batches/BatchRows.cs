using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Workflows.Definitions;
using OperaStudio.BrowserService.Workflows.Storage;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>A batch's rows, one per input: for the progress table, and as results to download (JSON or CSV).</summary>
public static class BatchRows
{
    private const string StatusColumn = "status";
    private const string ErrorColumn = "error";
    private const string RunColumn = "run_id";

    /// <summary>
    /// The input's run as a list shows it; an input whose run has not started yet is <c>queued</c>, one whose run
    /// could not start is <c>failed</c> with the reason (both without a run id).
    /// </summary>
    public static WorkflowRunSummaryDto Summary(WorkflowBatchRecord batch, BatchItem item, IReadOnlyDictionary<string, WorkflowRunRecord> runs)
    {
        if (item.RunId is { } runId && runs.TryGetValue(runId, out var run))
        {
            return RunMapping.ToSummary(run);
        }

        var status = item.Error is null ? WorkflowRunStatuses.Queued : WorkflowRunStatuses.Failed;
        return new WorkflowRunSummaryDto(
            item.RunId ?? "", batch.WorkflowId, 0, null, batch.Id, WorkflowActions.BatchTrigger, status, WorkflowJson.Element(item.Inputs),
            item.Error, 0, 0, null, batch.CreatedAt, item.Error is null ? null : batch.CreatedAt);
    }

    /// <summary>One JSON object per input: its place, inputs, run, status, error and named outputs.</summary>
    public static JsonArray Json(BatchState state)
    {
        var rows = new JsonArray();
        for (var i = 0; i < state.Items.Count; i++)
        {
            var (summary, outputs) = Read(state, i);
            rows.Add(new JsonObject
            {
                ["index"] = i,
                ["inputs"] = state.Items[i].Inputs.DeepClone(),
                ["runId"] = summary.Id.Length == 0 ? null : summary.Id,
                ["status"] = summary.Status,
                ["error"] = summary.Error,
                ["outputs"] = outputs,
            });
        }

        return rows;
    }

    /// <summary>
    /// A header row, then one row per input: a column per input name, status, error, run id, then a column per named
    /// output holding that output as JSON text.
    /// </summary>
    public static string Csv(BatchState state)
    {
        var inputNames = state.Parameters.Concat(state.Items.SelectMany(i => i.Inputs.Select(p => p.Key))).Distinct(StringComparer.Ordinal).ToList();
        var read = Enumerable.Range(0, state.Items.Count).Select(i => Read(state, i)).ToList();
        var outputNames = read.SelectMany(r => r.Outputs.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();

        var lines = new List<string> { CsvText.Line([.. inputNames, StatusColumn, ErrorColumn, RunColumn, .. outputNames]) };
        for (var i = 0; i < read.Count; i++)
        {
            var (summary, outputs) = read[i];
            var inputs = state.Items[i].Inputs;
            lines.Add(CsvText.Line([
                .. inputNames.Select(n => Text(inputs[n])),
                summary.Status,
                summary.Error,
                summary.Id,
                .. outputNames.Select(n => outputs.ContainsKey(n) ? outputs[n]?.ToJsonString() ?? "null" : ""),
            ]));
        }

        return string.Join("\r\n", lines) + "\r\n";
    }

    private static (WorkflowRunSummaryDto Summary, JsonObject Outputs) Read(BatchState state, int index)
    {
        var item = state.Items[index];
        var summary = Summary(state.Batch, item, state.Runs);
        var outputs = item.RunId is { } id && state.Runs.TryGetValue(id, out var run) && JsonNode.Parse(run.Outputs) is JsonObject found
            ? found
            : [];
        return (summary, outputs);
    }

    // An input as a person typed it: text as itself, anything else as JSON.
    private static string Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
}
