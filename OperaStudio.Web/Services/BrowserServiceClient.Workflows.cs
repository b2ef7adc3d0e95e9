using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

/// <summary>
/// The workflows part of the browser service's API: stored workflows and their versions, runs (start, read, resume,
/// cancel), batches (JSON or CSV inputs) and making a workflow from a chat run or a recording. A refused definition
/// answers a problem whose <see cref="ApiProblem.Problems"/> lists everything wrong with it. Exports, step pictures and
/// batch results are fetched by the person's browser itself, through the web app's proxy (the <c>…Path</c> helpers).
/// </summary>
public sealed partial class BrowserServiceClient
{
    public Task<ApiResult<IReadOnlyList<WorkflowSummaryDto>>> ListWorkflowsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<WorkflowSummaryDto>>(HttpMethod.Get, "/api/workflows", null, cancellationToken);

    public Task<ApiResult<WorkflowDto>> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowDto>(HttpMethod.Get, WorkflowApiPath(workflowId), null, cancellationToken);

    public Task<ApiResult<WorkflowDto>> CreateWorkflowAsync(WorkflowDefinitionDto definition, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowDto>(HttpMethod.Post, "/api/workflows", definition, cancellationToken);

    /// <summary>Saves a new version; the old ones stay readable.</summary>
    public Task<ApiResult<WorkflowDto>> UpdateWorkflowAsync(string workflowId, WorkflowDefinitionDto definition, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowDto>(HttpMethod.Put, WorkflowApiPath(workflowId), definition, cancellationToken);

    /// <summary>A soft delete: the workflow leaves the list, its past runs stay readable.</summary>
    public Task<ApiResult<bool>> DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, WorkflowApiPath(workflowId), null, cancellationToken);

    public Task<ApiResult<IReadOnlyList<WorkflowVersionDto>>> ListWorkflowVersionsAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<WorkflowVersionDto>>(HttpMethod.Get, $"{WorkflowApiPath(workflowId)}/versions", null, cancellationToken);

    public Task<ApiResult<IReadOnlyList<WorkflowRunSummaryDto>>> ListWorkflowRunsAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<WorkflowRunSummaryDto>>(HttpMethod.Get, $"{WorkflowApiPath(workflowId)}/runs", null, cancellationToken);

    public Task<ApiResult<WorkflowRunDto>> StartWorkflowRunAsync(string workflowId, WorkflowRunRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowRunDto>(HttpMethod.Post, $"{WorkflowApiPath(workflowId)}/runs", request, cancellationToken);

    public Task<ApiResult<WorkflowRunDto>> GetWorkflowRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowRunDto>(HttpMethod.Get, RunApiPath(runId), null, cancellationToken);

    /// <summary>Goes on from the failed step, or from <paramref name="fromStep"/> when given.</summary>
    public Task<ApiResult<WorkflowRunDto>> ResumeWorkflowRunAsync(string runId, int? fromStep = null, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowRunDto>(HttpMethod.Post, $"{RunApiPath(runId)}/resume", new ResumeWorkflowRunBody(fromStep), cancellationToken);

    public Task<ApiResult<WorkflowRunDto>> CancelWorkflowRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowRunDto>(HttpMethod.Post, $"{RunApiPath(runId)}/cancel", new { }, cancellationToken);

    public Task<ApiResult<WorkflowBatchDto>> StartWorkflowBatchAsync(string workflowId, WorkflowBatchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowBatchDto>(HttpMethod.Post, $"{WorkflowApiPath(workflowId)}/batches", request, cancellationToken);

    /// <summary>A batch from a CSV file: a header row of parameter names, one run per row (the concurrency as a query).</summary>
    public Task<ApiResult<WorkflowBatchDto>> StartWorkflowBatchCsvAsync(string workflowId, string csv, int? concurrency, CancellationToken cancellationToken = default)
    {
        var content = new StringContent(csv, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        var query = concurrency is { } n ? $"?concurrency={n.ToString(CultureInfo.InvariantCulture)}" : "";
        return SendAsync<WorkflowBatchDto>(HttpMethod.Post, $"{WorkflowApiPath(workflowId)}/batches{query}", content, cancellationToken);
    }

    public Task<ApiResult<WorkflowBatchDto>> GetWorkflowBatchAsync(string batchId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowBatchDto>(HttpMethod.Get, BatchApiPath(batchId), null, cancellationToken);

    /// <summary>A finished chat run's successful tool calls, as a new workflow.</summary>
    public Task<ApiResult<WorkflowDto>> CreateWorkflowFromRunAsync(WorkflowFromRunRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowDto>(HttpMethod.Post, "/api/workflows/from-run", request, cancellationToken);

    /// <summary>A recording's action list, as a new workflow.</summary>
    public Task<ApiResult<WorkflowDto>> CreateWorkflowFromRecordingAsync(WorkflowFromRecordingRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<WorkflowDto>(HttpMethod.Post, "/api/workflows/from-recording", request, cancellationToken);

    /// <summary>Where the person's browser downloads the definition (the same JSON the import takes).</summary>
    public static string WorkflowExportPath(string workflowId, int? version = null) =>
        $"{WorkflowApiPath(workflowId)}/export{(version is { } v ? $"?version={v.ToString(CultureInfo.InvariantCulture)}" : "")}";

    /// <summary>Where the person's browser downloads a batch's results: <c>csv</c> or <c>json</c>.</summary>
    public static string WorkflowBatchResultsPath(string batchId, string format) =>
        $"{BatchApiPath(batchId)}/results?format={Uri.EscapeDataString(format)}";

    public static string WorkflowPagePath(string workflowId) => $"/workflows/{Uri.EscapeDataString(workflowId)}";

    public static string WorkflowRunPagePath(string runId) => $"/workflow-runs/{Uri.EscapeDataString(runId)}";

    public static string WorkflowBatchPagePath(string batchId) => $"/workflow-batches/{Uri.EscapeDataString(batchId)}";

    private static string WorkflowApiPath(string workflowId) => $"/api/workflows/{Uri.EscapeDataString(workflowId)}";

    private static string RunApiPath(string runId) => $"/api/workflow-runs/{Uri.EscapeDataString(runId)}";

    private static string BatchApiPath(string batchId) => $"/api/workflow-batches/{Uri.EscapeDataString(batchId)}";

    private sealed record ResumeWorkflowRunBody(int? FromStep);
}

/// <summary>Reads and writes workflow JSON in the contract's own format (camelCase, as the service takes it).</summary>
public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(WorkflowDefinitionDto definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>The definition in <paramref name="json"/>, or why it is not one.</summary>
    public static (WorkflowDefinitionDto? Definition, string? Error) Read(string json)
    {
        try
        {
            var definition = JsonSerializer.Deserialize<WorkflowDefinitionDto>(json, Options);
            return definition is null ? (null, "The file holds no workflow.") : (definition, null);
        }
        catch (JsonException ex)
        {
            return (null, $"Not a workflow's JSON: {ex.Message}");
        }
    }
}
